"""Broken: the step computed and returned in bfloat16 (too few digits to grade)."""

import tensorflow as tf


def gradient_step(X, y, weight, lrate):
    X, y, w = (tf.cast(a, tf.bfloat16) for a in (X, y, weight))
    residual = y - X @ w
    m = tf.cast(tf.shape(X)[0], tf.bfloat16)
    gradient = tf.cast(-2.0, tf.bfloat16) / m * tf.matmul(X, residual, transpose_a=True)
    return w - tf.cast(lrate, tf.bfloat16) * gradient, tf.reduce_mean(residual**2)
