"""Broken: the one-feature step multiplies in the wrong order (TensorFlow raises
InvalidArgumentError); the general one takes the square root of a negative number (NaN)."""

import tensorflow as tf


def gradient_step_onefeature(x, y, weight, lrate):
    residual = y - tf.matmul(tf.reshape(weight, [1, 1]), x)
    return weight, tf.reduce_mean(residual**2)


def gradient_step(X, y, weight, lrate):
    residual = y - X @ weight
    scale = tf.sqrt(tf.constant(-1.0, tf.float64))
    gradient = scale * tf.matmul(X, residual, transpose_a=True)
    return weight - lrate * gradient, tf.reduce_mean(residual**2)
