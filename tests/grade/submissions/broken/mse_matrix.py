"""Broken: the loss comes out as a (1, 1) matrix."""


def gradient_step(X, y, weight, lrate):
    r = y - X @ weight
    return weight - lrate * (-2 / len(X)) * X.T @ r, r.T @ r / len(X)
