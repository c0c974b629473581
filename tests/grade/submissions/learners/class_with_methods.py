"""Learner, correct: a small model class; the graded functions call its methods."""

import numpy as np


class LinearRegressionGD:
    def __init__(self, weight, learning_rate):
        self.w = np.array(weight, dtype=float).reshape(-1, 1)
        self.lr = learning_rate

    def predict(self, X):
        return X @ self.w

    def loss(self, X, y):
        return float(np.mean((y - self.predict(X)) ** 2))

    def gradient(self, X, y):
        m = X.shape[0]
        return -(2.0 / m) * X.T @ (y - self.predict(X))

    def step(self, X, y):
        loss = self.loss(X, y)
        self.w = self.w - self.lr * self.gradient(X, y)
        return loss


def gradient_step_onefeature(x, y, weight, lrate):
    model = LinearRegressionGD(weight, lrate)
    loss = model.step(x, y)
    return model.w.reshape(np.shape(weight)), loss


def gradient_step(X, y, weight, lrate):
    model = LinearRegressionGD(weight, lrate)
    loss = model.step(X, y)
    return model.w, loss
