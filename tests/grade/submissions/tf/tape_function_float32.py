"""Correct: tf.functions in float32 (inputs cast, the way a Keras user works), GradientTape on a
watched tensor, tf.Tensor values out."""

import numpy as np
import tensorflow as tf


def _step(predict, features, targets, weight, lrate):
    with tf.GradientTape() as tape:
        tape.watch(weight)
        mse = tf.reduce_mean((targets - predict(features, weight)) ** 2)
    return weight - lrate * tape.gradient(mse, weight), mse


@tf.function(reduce_retracing=True)
def _step_onefeature(x, y, weight, lrate):
    return _step(tf.multiply, x, y, weight, lrate)


@tf.function(reduce_retracing=True)
def _step_matrix(X, y, weight, lrate):
    return _step(tf.matmul, X, y, weight, lrate)


def _float32(*arrays):
    return [tf.convert_to_tensor(np.asarray(a, dtype=np.float32)) for a in arrays]


def gradient_step_onefeature(x, y, weight, lrate):
    return _step_onefeature(*_float32(x, y, weight, lrate))


def gradient_step(X, y, weight, lrate):
    return _step_matrix(*_float32(X, y, weight, lrate))
