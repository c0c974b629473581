"""Broken: GradientTape, but the step goes uphill (assign_add)."""

import tensorflow as tf


def gradient_step(X, y, weight, lrate):
    w = tf.Variable(weight)
    with tf.GradientTape() as tape:
        mse = tf.reduce_mean((y - X @ w) ** 2)
    w.assign_add(lrate * tape.gradient(mse, w))
    return w, mse
