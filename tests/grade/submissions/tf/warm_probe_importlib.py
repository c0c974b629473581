"""Correct (hand-written gradient in tf ops), imports TensorFlow through importlib, so no import
statement tells the grader, and checks that it was warmed up anyway, after loading and before its
first call (see warm_check.py)."""

import importlib

from warm_check import raise_if_cold

tf = importlib.import_module("tensorflow")


def gradient_step(X, y, weight, lrate):
    raise_if_cold(tf)
    residual = tf.subtract(y, tf.linalg.matmul(X, weight))
    gradient = tf.linalg.matmul(X, residual, transpose_a=True) * (-2.0 / X.shape[0])
    return tf.subtract(weight, lrate * gradient), tf.reduce_mean(tf.square(residual))
