"""Broken: waits forever in a tf.while_loop whose condition never turns false."""

import tensorflow as tf


def gradient_step(X, y, weight, lrate):
    tf.while_loop(lambda i: i >= 0, lambda i: (i + 1,), (tf.constant(0, tf.int64),))
    return weight, 0.0
