"""Learner, broken: nn.Linear and torch.optim.SGD, but returns (loss, weight)."""

import torch
from torch import nn


def gradient_step(X, y, weight, lrate):
    model = nn.Linear(X.shape[1], 1, bias=False).double()
    model.weight.data = torch.tensor(weight.T.copy())
    optimizer = torch.optim.SGD(model.parameters(), lr=lrate)
    loss = nn.MSELoss()(model(torch.tensor(X)), torch.tensor(y))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item(), model.weight.data.numpy().T


def gradient_step_onefeature(x, y, weight, lrate):
    loss, w = gradient_step(x, y, weight.reshape(1, 1), lrate)
    return loss, w.item()
