"""Learner, broken: a model class whose gradient already includes the learning rate, used with
the learning rate again; its loss is the sum of squared errors."""

import numpy as np


class GradientDescent:
    def __init__(self, X, y, learning_rate):
        self.X = X
        self.y = y
        self.lr = learning_rate

    def residual(self, w):
        return self.y - self.X @ w

    def cost(self, w):
        return np.sum(self.residual(w) ** 2)

    def gradient(self, w):
        m = len(self.y)
        return self.lr * (-2 / m) * self.X.T @ self.residual(w)

    def update(self, w):
        w = np.array(w, dtype=float)
        w -= self.lr * self.gradient(w)
        return w


def gradient_step(X, y, weight, lrate):
    gd = GradientDescent(X, y, lrate)
    return gd.update(weight), gd.cost(weight)


def gradient_step_onefeature(x, y, weight, lrate):
    gd = GradientDescent(x, y, lrate)
    w = gd.update(np.reshape(weight, (1, 1)))
    return w.reshape(()), gd.cost(np.reshape(weight, (1, 1)))
