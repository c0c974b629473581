"""Broken: the one-feature step forgets its return; the general one returns the weight
flattened by tf.reshape(w, [-1])."""

import tensorflow as tf


def gradient_step_onefeature(x, y, weight, lrate):
    w = tf.Variable(weight)
    with tf.GradientTape() as tape:
        mse = tf.reduce_mean((y - x * w) ** 2)
    w.assign_sub(lrate * tape.gradient(mse, w))


def gradient_step(X, y, weight, lrate):
    w = tf.Variable(weight)
    with tf.GradientTape() as tape:
        mse = tf.reduce_mean((y - X @ w) ** 2)
    w.assign_sub(lrate * tape.gradient(mse, w))
    return tf.reshape(w, [-1]), mse
