"""Correct: plain Python loops over samples and features."""


def gradient_step_onefeature(x, y, weight, lrate):
    m = x.shape[0]
    w = float(weight)
    total, grad = 0.0, 0.0
    for i in range(m):
        error = float(y[i, 0]) - float(x[i, 0]) * w
        total += error * error
        grad += -2.0 * float(x[i, 0]) * error / m
    return w - lrate * grad, total / m


def gradient_step(X, y, weight, lrate):
    m, n = X.shape
    errors = []
    for i in range(m):
        prediction = sum(X[i, j] * weight[j, 0] for j in range(n))
        errors.append(y[i, 0] - prediction)
    mse = sum(e * e for e in errors) / m
    new_weight = weight.copy()
    for j in range(n):
        grad_j = -2.0 / m * sum(X[i, j] * errors[i] for i in range(m))
        new_weight[j, 0] = weight[j, 0] - lrate * grad_j
    return new_weight, mse
