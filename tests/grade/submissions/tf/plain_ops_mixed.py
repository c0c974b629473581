"""Correct: no tape. One feature in float32 with a tf.Variable weight returned as a Variable and
the loss as a NumPy float32 (.numpy()); the general step with a hand-written gradient in float64
tf ops (tf.transpose, tf.matmul), tf.Tensor values out."""

import tensorflow as tf


def gradient_step_onefeature(x, y, weight, lrate):
    x32, y32 = tf.cast(x, tf.float32), tf.cast(y, tf.float32)
    w = tf.Variable(tf.cast(weight, tf.float32))
    residual = y32 - w * x32
    w.assign(w - lrate * -2.0 * tf.reduce_mean(x32 * residual))
    return w, tf.reduce_mean(residual * residual).numpy()


def gradient_step(X, y, weight, lrate):
    X, y, weight = tf.constant(X), tf.constant(y), tf.constant(weight)
    m = tf.cast(tf.shape(X)[0], X.dtype)
    residual = y - tf.matmul(X, weight)
    gradient = (-2.0 / m) * tf.matmul(tf.transpose(X), residual)
    return weight - lrate * gradient, tf.reduce_mean(residual**2)
