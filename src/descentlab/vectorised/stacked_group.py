"""K torch models of one architecture trained as one batched computation.

NOTE [stacked parameters]: each affine map of the K models is one tensor ``W`` (K, in, out) and
one bias ``b`` (K, 1, out); a batch goes through all K models as batched matrix products
(``x @ W + b``: a shared batch (b, in) is broadcast, per-seed batches are (K, b, in)). The loss
is the sum of the K models' batch losses, so one backward pass gives every model its own
gradient (the models share no parameter). Measured against ``torch.func.vmap`` of ``grad``
over ``functional_call`` (parameters stacked by ``stack_module_state``) on the 64-32-16 MLP at
batch 32, K = 64, one thread of a loaded 2-core machine: 6.2-6.4 ms per SGD step with vmap,
3.3-4.0 ms with the batched products and one backward pass; hence this form.

The SGD step is ``torch.optim.SGD``'s (``g ← ∇ + λ·p``, ``v ← μ·v + g``, ``p ← p - η·(g + μ·v``
if nesterov else ``v)``), Adam's is ``torch.optim.Adam``'s, with per-model η, μ, λ as (K, 1, 1)
tensors, applied to every model:
masking the stopped ones out would cost a pass over all parameters every step. Instead, when a
model's batch loss is first not finite (checked every step, as the trainer checks it), its
parameters are copied aside, and put back after the epoch, before the validation reads them;
what the stopped model computes in between is never read.

NOTE [written-out backward]: with a ReLU, tanh or sigmoid activation (every loss), the step
does not use autograd: the forward pass keeps each layer's activated output, the loss gradient
with respect to the outputs is written out (``_loss_and_delta``), and each layer's weight
gradient (a batched product), bias gradient (a sum over the batch) and input gradient (a
batched product by the transposed weights, then the activation's derivative from its output,
in place) follow; every product and derivative writes into buffers allocated once per batch
size, the gradients into views of one flat tensor. The parameters are views of one flat tensor
too, so that on the CPU the SGD step is one compiled pass (NOTE [one-pass stacked update]).
The products are autograd's, in the same order, so the numbers agree to float32 rounding
(``tests/vectorised`` compares each trial with its own trainer run). GELU (its derivative is
not written out) and Adam keep autograd or the per-tensor step. Measured on the 64-32-16 MLP at
batch 32, K = 64, one thread of the 2-core machine: 1.27-1.30 ms per step with autograd and
per-tensor SGD passes, 0.84-0.85 ms written out (fresh 512 KB tensors at every product cost
~0.1 ms of page faults; a flat torch update with per-element η ~0.18 ms, the compiled one
~0.05 ms).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from descentlab.tasks import Task
from descentlab.vectorised.metrics import validation_metrics
from descentlab.vectorised.outcome import GroupRecorder, GroupResult
from descentlab.vectorised.problem import SeedGroup
from descentlab.vectorised.settings import GroupSettings

__all__ = ["train_stacked_group"]


def _batch_losses(task: Task, out: Any, y: Any) -> Any:
    """(K,) mean batch losses of outputs ``out`` (K, b, C) against targets ``y``."""
    import torch

    if task.name == "regress":
        error = out - y
        return (error.square() if task.loss_name == "mse" else error.abs()).mean(dim=(1, 2))
    if task.n_outputs == 1:
        return (torch.nn.functional.softplus(out) - y * out).mean(dim=(1, 2))
    return (torch.logsumexp(out, dim=2) - (y * out).sum(dim=2)).mean(dim=1)


def _loss_and_delta(task: Task, out: Any, y: Any) -> tuple[Any, Any]:
    """:func:`_batch_losses` and its gradient with respect to ``out`` (K, b, C)."""
    import torch

    scale = 1.0 / (out.shape[1] * out.shape[2])
    if task.name == "regress":
        error = out - y
        if task.loss_name == "mse":
            return error.square().mean(dim=(1, 2)), error.mul_(2.0 * scale)
        return error.abs().mean(dim=(1, 2)), error.sign_().mul_(scale)
    if task.n_outputs == 1:
        losses = (torch.nn.functional.softplus(out) - y * out).mean(dim=(1, 2))
        return losses, torch.sigmoid(out).sub_(y).mul_(scale)
    losses = (torch.logsumexp(out, dim=2) - (y * out).sum(dim=2)).mean(dim=1)
    return losses, torch.softmax(out, dim=2).sub_(y).mul_(1.0 / out.shape[1])


def _relu_derivative(delta: Any, output: Any) -> None:
    import torch

    torch.ops.aten.threshold_backward.grad_input(delta, output, 0.0, grad_input=delta)


def _tanh_derivative(delta: Any, output: Any) -> None:
    import torch

    torch.ops.aten.tanh_backward.grad_input(delta, output, grad_input=delta)


def _sigmoid_derivative(delta: Any, output: Any) -> None:
    import torch

    torch.ops.aten.sigmoid_backward.grad_input(delta, output, grad_input=delta)


# an activation's in-place form and its derivative's, given its output: delta ← delta · f'
_ACTIVATE = {"relu": "relu_", "tanh": "tanh_", "sigmoid": "sigmoid_"}
_DERIVATIVE = {"relu": _relu_derivative, "tanh": _tanh_derivative, "sigmoid": _sigmoid_derivative}


class _Stack:
    """The K models' stacked parameters, their momentum buffers and the forward pass."""

    def __init__(self, groups: list[SeedGroup], member: list[int], activation: Any, device: Any):
        import torch

        first = groups[0].initial
        self.activation = activation
        # the activation's name when its derivative is written out here, else None (autograd)
        self.derivative = type(activation).__name__.lower()
        if self.derivative not in _DERIVATIVE:
            self.derivative = None
        self.bias = len(first) > 1 and first[1].dim() == 1
        stacked = []
        for index, tensor in enumerate(first):
            values = torch.stack([groups[m].initial[index] for m in member]).to(device)
            # weights (K, in, out), biases (K, 1, out)
            values = values.transpose(1, 2) if tensor.dim() == 2 else values.unsqueeze(1)
            stacked.append(values)
        # the written-out backward keeps the parameters and their gradients as views of one
        # flat tensor each, so that the SGD step is one compiled pass (_FlatSGD)
        self.flat = None if self.derivative is None else self._flatten(stacked)
        if self.flat is None:
            self.params = [values.contiguous().requires_grad_(True) for values in stacked]
        else:
            self.params = self.views(self.flat)
            self.flat_grad = torch.empty_like(self.flat)
            self.grads = self.views(self.flat_grad)
            self._work: dict[int, tuple[list[Any], list[Any]]] = {}
        self.buffers = [torch.zeros_like(p) for p in self.params]
        self.second = [torch.zeros_like(p) for p in self.params]  # Adam's second moments
        self.layers = [
            (self.params[i], self.params[i + 1] if self.bias else None)
            for i in range(0, len(self.params), 2 if self.bias else 1)
        ]

    def _flatten(self, stacked: list[Any]) -> Any:
        import torch

        self.shapes = [values.shape for values in stacked]
        return torch.cat([values.reshape(-1) for values in stacked])

    def views(self, flat: Any) -> list[Any]:
        """``flat`` cut into tensors of the parameters' shapes (views, contiguous)."""
        views, start = [], 0
        for shape in self.shapes:
            size = shape[0] * shape[1] * shape[2]
            views.append(flat[start : start + size].view(shape))
            start += size
        return views

    def bounds(self) -> np.ndarray:
        """Where each parameter's block starts in the flat tensors, and where the last ends."""
        sizes = [shape[0] * shape[1] * shape[2] for shape in self.shapes]
        return np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)

    def gradients(self, task: Task, x: Any, y: Any) -> Any:
        """The (K,) batch losses; every parameter's gradient goes to ``grads`` (views of
        ``flat_grad``), the chain rule written out (NOTE [written-out backward])."""
        import torch

        last = len(self.layers) - 1
        K, b = self.params[0].shape[0], x.shape[-2]
        if x.dim() == 2:  # a shared batch (b, in): every model reads the same rows
            x = x.expand(K, *x.shape)
        outputs, deltas = self._work.get(b) or self._allocate(K, b)
        derivative = _DERIVATIVE[self.derivative]
        inputs = [x]  # each layer's input: the batch, then the activated hidden outputs
        for index, (weight, bias) in enumerate(self.layers):
            x = torch.bmm(x, weight, out=outputs[index])
            if bias is not None:
                x.add_(bias)
            if index < last:
                getattr(x, _ACTIVATE[self.derivative])()
                inputs.append(x)
        losses, delta = _loss_and_delta(task, x, y)
        position = len(self.grads)
        for index in range(last, -1, -1):
            below = inputs[index]
            if self.layers[index][1] is not None:
                position -= 1
                torch.sum(delta, dim=1, keepdim=True, out=self.grads[position])
            position -= 1
            torch.bmm(below.transpose(1, 2), delta, out=self.grads[position])
            if index > 0:
                weight = self.layers[index][0]
                delta = torch.bmm(delta, weight.transpose(1, 2), out=deltas[index])
                derivative(delta, below)
        return losses

    def _allocate(self, K: int, b: int) -> tuple[list[Any], list[Any]]:
        """Every layer's output and input gradient at batch size ``b``, allocated once: a fresh
        tensor each step costs the allocator new pages at every product."""
        outputs = [self.params[0].new_empty(K, b, w.shape[2]) for w, _ in self.layers]
        deltas = [self.params[0].new_empty(K, b, w.shape[1]) for w, _ in self.layers]
        self._work[b] = (outputs, deltas)
        return outputs, deltas

    def forward(self, x: Any) -> Any:
        last = len(self.layers) - 1
        for index, (weight, bias) in enumerate(self.layers):
            x = x @ weight
            if bias is not None:
                x = x + bias
            if index < last:
                x = self.activation(x)
        return x


def train_stacked_group(
    settings: GroupSettings,
    task: Task,
    groups: list[SeedGroup],
    member: list[int],
    device: Any,
) -> list[GroupResult]:
    """Train every trial on ``device``; ``member[k]`` is trial ``k``'s index into ``groups``."""
    import torch

    from descentlab.models import make_activation

    shared = settings.shared
    activation = make_activation(shared["activation"] or "relu")
    stack = _Stack(groups, member, activation, device)
    K = len(member)
    shape = (K, 1, 1)

    def column(values: tuple[float, ...]) -> Any:
        return torch.tensor(values, dtype=torch.float32, device=device).reshape(shape)

    lrates = column(settings.lrates)
    # a zero momentum or decay everywhere skips its term (the same numbers, fewer passes)
    momenta = column(settings.momenta) if any(settings.momenta) else None
    decays = column(settings.weight_decays) if any(settings.weight_decays) else None
    flat = None
    if stack.flat is not None and not settings.adam and device.type == "cpu":
        flat = _FlatSGD(stack, settings)
    shared_data = len(groups) == 1
    X = torch.stack([torch.from_numpy(g.X) for g in groups]).to(device)
    Y = torch.stack([torch.from_numpy(g.Y) for g in groups]).to(device)
    index = torch.as_tensor(member, device=device)
    n = X.shape[1]
    batch_size = shared["batch_size"]
    batches = -(-n // batch_size)
    recorder = GroupRecorder(settings.lrates, batches)
    frozen: dict[int, list[Any]] = {}  # a diverged model's parameters, kept as they stopped
    for epoch in range(1, shared["epochs"] + 1):
        orders = torch.stack([torch.from_numpy(g.next_order()) for g in groups]).to(device)
        live = recorder.running.copy()
        sums = torch.zeros(K, dtype=torch.float64, device=device)
        stopped_at = np.zeros(K, dtype=np.int64)
        stopped_loss = np.zeros(K, dtype=np.float64)
        for batch in range(batches):
            rows = orders[:, batch * batch_size : (batch + 1) * batch_size]
            if shared_data:
                xb, yb = X[0, rows[0]], Y[0, rows[0]]
            else:
                picked = torch.arange(len(groups), device=device)[:, None]
                xb, yb = X[picked, rows][index], Y[picked, rows][index]
            if stack.derivative is None:
                losses = _batch_losses(task, stack.forward(xb), yb)
                grads = torch.autograd.grad(losses.sum(), stack.params)
            else:
                with torch.no_grad():
                    losses, grads = stack.gradients(task, xb, yb), stack.grads
            with torch.no_grad():
                # a finite sum means every loss is finite (two passes fewer than the check
                # per model); a CPU check, one synchronisation on CUDA
                if math.isfinite(float(losses.sum())):
                    sums.add_(losses, alpha=rows.shape[1])  # in float64, as below
                else:
                    finite = torch.isfinite(losses)
                    for k in np.flatnonzero(live & ~finite.cpu().numpy()):
                        live[k] = False
                        stopped_at[k] = batch + 1
                        stopped_loss[k] = float(losses[k])
                        frozen[int(k)] = [p[k].clone() for p in stack.params]
                    sums += torch.where(finite, losses.double(), 0.0) * rows.shape[1]
                if settings.adam:
                    step = (epoch - 1) * batches + batch + 1
                    _adam_step(stack, grads, lrates, decays, settings.betas, settings.eps, step)
                elif flat is not None:
                    flat.step()
                else:
                    _sgd_step(stack, grads, lrates, momenta, decays, settings.nesterov)
        with torch.no_grad():
            for k, values in frozen.items():  # NaN after they stopped: put them back
                for param, value in zip(stack.params, values, strict=True):
                    param[k] = value
        validation = _validation(task, groups, stack, member, device)
        recorder.record_epoch(epoch, (sums / n).cpu().numpy(), stopped_at, stopped_loss, validation)
        if not recorder.running.any():
            break
    return recorder.results()


def _sgd_step(
    stack: _Stack, grads: Any, lrates: Any, momenta: Any, decays: Any, nesterov: bool
) -> None:
    """torch.optim.SGD's step for every model at once, in place (a stopped model's parameters
    change too; they are put back before anything reads them)."""
    for param, buffer, grad in zip(stack.params, stack.buffers, grads, strict=True):
        if decays is not None:
            grad = grad.addcmul_(decays, param)
        if momenta is None:
            param.addcmul_(lrates, grad, value=-1.0)
            continue
        buffer.mul_(momenta).add_(grad)
        step = grad.addcmul_(momenta, buffer) if nesterov else buffer
        param.addcmul_(lrates, step, value=-1.0)


class _FlatSGD:
    """:func:`_sgd_step` over the flat parameters on the CPU, as one compiled pass (NOTE
    [one-pass stacked update])."""

    def __init__(self, stack: _Stack, settings: GroupSettings):
        import torch

        self.arrays = [t.numpy() for t in (stack.flat, torch.zeros_like(stack.flat))]
        self.arrays.append(stack.flat_grad.numpy())
        self.bounds = stack.bounds()
        self.values = [
            np.asarray(v, dtype=np.float32)
            for v in (settings.lrates, settings.momenta, settings.weight_decays)
        ]
        self.flags = (any(settings.momenta), any(settings.weight_decays), settings.nesterov)

    def step(self) -> None:
        from descentlab.vectorised.stacked_update import sgd_flat_step

        sgd_flat_step(*self.arrays, self.bounds, *self.values, *self.flags)


def _adam_step(
    stack: _Stack,
    grads: Any,
    lrates: Any,
    decays: Any,
    betas: tuple[float, float],
    eps: float,
    step: int,
) -> None:
    """torch.optim.Adam's step (update number ``step``) for every model at once, in place."""
    beta1, beta2 = betas
    size = lrates / (1.0 - beta1**step)
    root = (1.0 - beta2**step) ** 0.5
    for param, first, second, grad in zip(
        stack.params, stack.buffers, stack.second, grads, strict=True
    ):
        if decays is not None:
            grad = grad.addcmul_(decays, param)
        first.lerp_(grad, 1.0 - beta1)
        second.mul_(beta2).addcmul_(grad, grad, value=1.0 - beta2)
        param.sub_(size * first / (second.sqrt() / root + eps))


def _validation(
    task: Task, groups: list[SeedGroup], stack: _Stack, member: list[int], device: Any
) -> dict[str, np.ndarray]:
    import torch

    if groups[0].val_features is None:
        return {}
    with torch.no_grad():
        if len(groups) == 1:
            x = torch.from_numpy(groups[0].val_features).to(device)
        else:
            x = torch.stack([torch.from_numpy(groups[m].val_features) for m in member]).to(device)
        outputs = stack.forward(x).cpu().numpy()
    if len(groups) == 1:
        return validation_metrics(task, outputs, groups[0].val_targets, groups[0].val_labels)
    parts = [
        validation_metrics(task, outputs[k : k + 1], groups[m].val_targets, groups[m].val_labels)
        for k, m in enumerate(member)
    ]
    return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
