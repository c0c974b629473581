"""Broken: sums the gradient over the samples (loops)."""


def gradient_step(X, y, weight, lrate):
    m, n = X.shape
    errors = [y[i, 0] - sum(X[i, j] * weight[j, 0] for j in range(n)) for i in range(m)]
    new_weight = weight.copy()
    for j in range(n):
        grad_j = -2 * sum(X[i, j] * errors[i] for i in range(m))
        new_weight[j, 0] = weight[j, 0] - lrate * grad_j
    return new_weight, sum(e * e for e in errors) / m
