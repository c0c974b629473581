"""Learner, correct: a raw parameter, nn.MSELoss and torch.optim.SGD; tensors returned."""

import torch
import torch.nn.functional as F  # noqa: N812


def gradient_step(X, y, weight, lrate):
    features = torch.as_tensor(X)
    targets = torch.as_tensor(y)
    w = torch.nn.Parameter(torch.as_tensor(weight).clone())
    opt = torch.optim.SGD([w], lr=lrate)
    opt.zero_grad()
    loss = torch.nn.MSELoss()(features @ w, targets)
    loss.backward()
    opt.step()
    return w.detach(), loss.detach()


def gradient_step_onefeature(x, y, weight, lrate):
    w = torch.nn.Parameter(torch.as_tensor(weight).clone())
    opt = torch.optim.SGD([w], lr=lrate)
    loss = F.mse_loss(torch.as_tensor(x) * w, torch.as_tensor(y))
    loss.backward()
    opt.step()
    return w.detach().numpy(), loss.item()
