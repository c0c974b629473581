"""Broken: the one-feature step computes and returns bfloat16 (too few digits to grade); the
general step waits forever in a tf.while_loop whose condition never turns false."""

import tensorflow as tf


def gradient_step_onefeature(x, y, weight, lrate):
    x, y, w = (tf.cast(a, tf.bfloat16) for a in (x, y, weight))
    residual = y - x * w
    gradient = tf.cast(-2.0, tf.bfloat16) * tf.reduce_mean(x * residual)
    return w - tf.cast(lrate, tf.bfloat16) * gradient, tf.reduce_mean(residual**2)


def gradient_step(X, y, weight, lrate):
    tf.while_loop(lambda i: i >= 0, lambda i: (i + 1,), (tf.constant(0, tf.int64),))
    return weight, 0.0
