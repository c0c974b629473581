"""Learner, correct: float32 tensors with autograd (torch's default dtype), .item() for the loss."""

import torch


def gradient_step(X, y, weight, lrate):
    X = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.float32)
    w = torch.tensor(weight, dtype=torch.float32, requires_grad=True)
    y_pred = X @ w
    loss = ((y_pred - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w_new = w - lrate * w.grad
    return w_new.numpy(), loss.item()


def gradient_step_onefeature(x, y, weight, lrate):
    x = torch.tensor(x, dtype=torch.float32).flatten()
    y = torch.tensor(y, dtype=torch.float32).flatten()
    w = torch.tensor(float(weight), requires_grad=True)
    loss = torch.mean((y - w * x) ** 2)
    loss.backward()
    return (w - lrate * w.grad).item(), loss.item()
