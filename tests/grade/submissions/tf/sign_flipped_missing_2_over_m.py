"""Broken: the one-feature step's hand-written gradient in tf ops lacks 2/m; the general step
uses GradientTape but goes uphill (assign_add)."""

import tensorflow as tf


def gradient_step_onefeature(x, y, weight, lrate):
    residual = tf.constant(y) - tf.constant(x) * weight
    gradient = -tf.reduce_sum(x * residual)
    return weight - lrate * gradient, tf.reduce_mean(residual**2)


def gradient_step(X, y, weight, lrate):
    w = tf.Variable(weight)
    with tf.GradientTape() as tape:
        mse = tf.reduce_mean((y - X @ w) ** 2)
    w.assign_add(lrate * tape.gradient(mse, w))
    return w, mse
