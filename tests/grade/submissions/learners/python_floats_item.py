"""Learner, correct: one feature in plain Python floats via .item(); vectorised for many."""


def gradient_step_onefeature(x, y, weight, lrate):
    xs = x.ravel().tolist()
    ys = y.ravel().tolist()
    w = weight.item()
    m = len(xs)
    residuals = [yi - w * xi for xi, yi in zip(xs, ys, strict=True)]
    mse = sum(r * r for r in residuals) / m
    dw = -2 / m * sum(xi * r for xi, r in zip(xs, residuals, strict=True))
    return w - lrate * dw, mse


def gradient_step(X, y, weight, lrate):
    residuals = y - X.dot(weight)
    mse = (residuals**2).mean().item()
    dw = -2 * X.T.dot(residuals) / X.shape[0]
    return weight - lrate * dw, mse
