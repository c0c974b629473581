"""Learner, broken: autograd on half the MSE (0.5 * F.mse_loss, the 1/(2m) convention) and the
gradient added instead of subtracted."""

import torch
import torch.nn.functional as F  # noqa: N812


def gradient_step(X, y, weight, lrate):
    X = torch.tensor(X)
    y = torch.tensor(y)
    w = torch.tensor(weight, requires_grad=True)
    loss = 0.5 * F.mse_loss(X @ w, y)
    loss.backward()
    with torch.no_grad():
        w_new = w + lrate * w.grad
    return w_new.numpy(), loss.item()
