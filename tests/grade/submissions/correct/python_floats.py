"""Correct: one feature with Python floats in and out."""

import math


def gradient_step_onefeature(x, y, weight, lrate):
    xs = [float(v) for v in x[:, 0]]
    ys = [float(v) for v in y[:, 0]]
    w = float(weight)
    errors = [t - w * f for f, t in zip(xs, ys, strict=True)]
    mse = math.fsum(e * e for e in errors) / len(xs)
    grad = -2 * math.fsum(f * e for f, e in zip(xs, errors, strict=True)) / len(xs)
    return w - lrate * grad, mse
