"""Broken: not written yet."""


def gradient_step(X, y, weight, lrate):
    raise NotImplementedError("TODO: write the gradient step")
