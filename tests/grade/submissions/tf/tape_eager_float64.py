"""Correct: eager tf.GradientTape in float64; the weight is a tf.Variable updated by assign_sub and
returned as it is, the loss a 0-d tf.Tensor."""

import tensorflow as tf


def gradient_step_onefeature(x, y, weight, lrate):
    w = tf.Variable(weight)
    with tf.GradientTape() as tape:
        mse = tf.reduce_mean((y - x * w) ** 2)
    w.assign_sub(lrate * tape.gradient(mse, w))
    return w, mse


def gradient_step(X, y, weight, lrate):
    w = tf.Variable(weight)
    with tf.GradientTape() as tape:
        mse = tf.reduce_mean(tf.square(y - tf.matmul(X, w)))
    w.assign_sub(lrate * tape.gradient(mse, w))
    return w, mse
