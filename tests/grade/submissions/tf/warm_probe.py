"""Correct (eager GradientTape, float64) and checks that TensorFlow was warmed up before its first
call (see warm_check.py)."""

import tensorflow as tf
from warm_check import raise_if_cold


def gradient_step(X, y, weight, lrate):
    raise_if_cold(tf)
    w = tf.Variable(weight)
    with tf.GradientTape() as tape:
        mse = tf.reduce_mean((y - X @ w) ** 2)
    w.assign_sub(lrate * tape.gradient(mse, w))
    return w, mse
