"""Broken: the one-feature step recomputes the loss at the new weight; the general step is right
but writes its result back into the caller's array (weight[...] = w.numpy())."""

import tensorflow as tf


def gradient_step_onefeature(x, y, weight, lrate):
    w = tf.Variable(weight)
    with tf.GradientTape() as tape:
        mse = tf.reduce_mean((y - x * w) ** 2)
    w.assign_sub(lrate * tape.gradient(mse, w))
    return w, tf.reduce_mean((y - x * w) ** 2)


def gradient_step(X, y, weight, lrate):
    w = tf.Variable(weight)
    with tf.GradientTape() as tape:
        mse = tf.reduce_mean((y - X @ w) ** 2)
    w.assign_sub(lrate * tape.gradient(mse, w))
    weight[...] = w.numpy()
    return w, mse
