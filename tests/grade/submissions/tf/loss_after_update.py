"""Broken: GradientTape step, then the loss recomputed at the new weight."""

import tensorflow as tf


def gradient_step(X, y, weight, lrate):
    w = tf.Variable(weight)
    with tf.GradientTape() as tape:
        mse = tf.reduce_mean((y - X @ w) ** 2)
    w.assign_sub(lrate * tape.gradient(mse, w))
    return w, tf.reduce_mean((y - X @ w) ** 2)
