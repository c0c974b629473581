"""Broken: torch.from_numpy shares memory, and sub_ then changes the caller's weight."""

import torch


def gradient_step(X, y, weight, lrate):
    Xt, yt, w = torch.from_numpy(X), torch.from_numpy(y), torch.from_numpy(weight)
    r = yt - Xt @ w
    mse = torch.mean(r**2)
    w.sub_(lrate * (-2 / Xt.shape[0]) * Xt.T @ r)
    return w, mse
