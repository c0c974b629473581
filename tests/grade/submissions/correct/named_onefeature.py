"""Correct: a one-feature step under another name and argument names (graded with --as)."""


def step1(features, targets, w, rate):
    m = features.shape[0]
    r = targets - features * w
    return w - rate * (-2 / m) * (features * r).sum(), (r**2).sum() / m
