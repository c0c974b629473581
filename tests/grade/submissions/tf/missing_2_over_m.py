"""Broken: one feature, hand-written gradient in tf ops without 2/m."""

import tensorflow as tf


def gradient_step_onefeature(x, y, weight, lrate):
    residual = tf.constant(y) - tf.constant(x) * weight
    gradient = -tf.reduce_sum(x * residual)
    return weight - lrate * gradient, tf.reduce_mean(residual**2)
