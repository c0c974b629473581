"""Drive PyTorch models with descentlab's NumPy optimizers, or get the matching torch.optim.

* :class:`DescentlabOptimizer` is a real ``torch.optim.Optimizer``: param groups, ``zero_grad``,
  ``state_dict``/``load_state_dict`` and every ``torch.optim.lr_scheduler`` work with it.
* :func:`make_torch_optimizer` returns ``torch.optim``'s own class for the same registry name
  and hyperparameters (what a PyTorch backend should train with).
* :func:`make_torch_scheduler` returns ``torch.optim.lr_scheduler``'s own class for a schedule
  name of :data:`descentlab.optim.schedules.SCHEDULES`.
* :class:`ScheduleAdapter` lets a descentlab schedule set the learning rate of any torch
  optimizer, as a ``torch.optim.lr_scheduler.LRScheduler``.

NOTE [adaptor numerics]: :class:`DescentlabOptimizer` copies each parameter and its gradient
to CPU as float64 NumPy arrays, runs the NumPy update there, and copies the result back into the
parameter (cast to its dtype and device). The optimizer state is kept in float64 and each
parameter has its own state and step counter, as in torch.optim. So a float64 model follows
``torch.optim`` to rounding (checked to 1e-10 in the tests); a float32 model gets float64
arithmetic, i.e. slightly *more* accurate steps than torch's float32 ones. Note that
``load_state_dict`` casts floating-point state to the parameter's dtype (torch's rule), so a
float32 model's state is float32 after a reload. This is a teaching and checking tool, not a
fast path: every step round-trips through the host.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import torch

from descentlab.optim.registry import OPTIMIZERS, hyperparameters, make_optimizer
from descentlab.optim.schedules import make_schedule
from descentlab.optim.state_io import state_from_dict, state_to_dict
from descentlab.optim.transforms import apply_updates
from descentlab.validation import InputTypeError, InputValueError, check_choice, describe

__all__ = [
    "TORCH_OPTIMIZERS",
    "TORCH_SCHEDULERS",
    "DescentlabOptimizer",
    "ScheduleAdapter",
    "make_torch_optimizer",
    "make_torch_scheduler",
]

TORCH_OPTIMIZERS: dict[str, tuple[str, dict[str, Any]]] = {
    "sgd": ("SGD", {}),
    "momentum": ("SGD", {"momentum": 0.9}),
    "nesterov": ("SGD", {"momentum": 0.9, "nesterov": True}),
    "adagrad": ("Adagrad", {}),
    "rmsprop": ("RMSprop", {}),
    "adadelta": ("Adadelta", {}),
    "adam": ("Adam", {}),
    "amsgrad": ("Adam", {"amsgrad": True}),
    "adamw": ("AdamW", {}),
    "nadam": ("NAdam", {}),
    "radam": ("RAdam", {}),
}


def _group_hyper(names: Iterable[str], group: dict[str, Any]) -> dict[str, Any]:
    hyper = {key: group[key] for key in names if key in group}
    if "lr" in hyper and isinstance(hyper["lr"], torch.Tensor):
        hyper["lr"] = float(hyper["lr"])
    if "betas" in hyper:
        hyper["betas"] = tuple(float(b) for b in hyper["betas"])
    return hyper


class DescentlabOptimizer(torch.optim.Optimizer):
    """A ``torch.optim.Optimizer`` whose update is computed by descentlab's NumPy optimizer.

    Args:
        params: an iterable of parameters or of param-group dicts (as for any torch optimizer);
            a group may override any hyperparameter.
        name: a key of :data:`descentlab.optim.OPTIMIZERS` (``"adam"``, ``"momentum"``, …).
        **hyper: the optimizer's hyperparameters (defaults as in torch.optim). ``lr`` must be a
            number; schedule it with a ``torch.optim.lr_scheduler`` or :class:`ScheduleAdapter`.

    Example:
        >>> import torch
        >>> model = torch.nn.Linear(3, 1).double()
        >>> opt = DescentlabOptimizer(model.parameters(), "adam", lr=0.01)
        >>> loss = model(torch.ones(4, 3, dtype=torch.float64)).pow(2).mean()
        >>> loss.backward()
        >>> opt.step()
    """

    def __init__(self, params: Any, name: str, **hyper: Any) -> None:
        check_choice("name", name, list(OPTIMIZERS))
        if callable(hyper.get("lr")):
            raise InputTypeError(
                "lr must be a number for DescentlabOptimizer (schedule it with a "
                f"torch.optim.lr_scheduler or ScheduleAdapter), got {describe(hyper['lr'])}"
            )
        make_optimizer(name, **hyper)
        self.name = name
        self._hyper_names = list(hyperparameters(name))
        defaults = {**hyperparameters(name), **hyper}
        super().__init__(params, defaults)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        super().add_param_group(param_group)
        try:
            make_optimizer(self.name, **_group_hyper(self._hyper_names, self.param_groups[-1]))
        except (TypeError, ValueError):
            self.param_groups.pop()
            raise

    @torch.no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient (others are left alone)."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            transformation = make_optimizer(self.name, **_group_hyper(self._hyper_names, group))
            for p in group["params"]:
                if p.grad is None:
                    continue
                if p.grad.is_sparse:
                    raise InputTypeError(
                        f"grads must be dense, got a sparse gradient for {describe(p)}"
                    )
                param = p.detach().cpu().numpy().astype(np.float64)
                grad = p.grad.detach().cpu().numpy().astype(np.float64)
                fresh = transformation.init(param)
                stored = self.state[p]
                if stored:
                    template = state_to_dict(fresh)
                    data = {
                        key: value.detach().cpu().numpy().astype(template[key].dtype)
                        if key in template
                        else value.detach().cpu().numpy()
                        for key, value in stored.items()
                    }
                    np_state = state_from_dict(data, fresh)
                else:
                    np_state = fresh
                updates, np_state = transformation.update(grad, np_state, param)
                p.copy_(torch.from_numpy(apply_updates(param, updates)))
                stored.clear()
                stored.update({k: torch.from_numpy(v) for k, v in state_to_dict(np_state).items()})
        return loss


def make_torch_optimizer(
    name: str,
    params: Any,
    *,
    torch_options: dict[str, Any] | None = None,
    **hyper: Any,
) -> torch.optim.Optimizer:
    """``torch.optim``'s own optimizer for a registry name, checked by descentlab's rules.

    ``make_torch_optimizer("nesterov", model.parameters(), lr=0.1)`` is
    ``torch.optim.SGD(..., lr=0.1, momentum=0.9, nesterov=True)``. Param-group dicts in
    ``params`` are checked too. ``torch_options`` passes torch-only switches (``foreach``,
    ``fused``, ``capturable``, …) through unchecked.
    """
    check_choice("name", name, list(OPTIMIZERS))
    if callable(hyper.get("lr")):
        raise InputTypeError(
            "lr must be a number for torch.optim (schedule it with a torch.optim.lr_scheduler "
            f"or ScheduleAdapter), got {describe(hyper['lr'])}"
        )
    make_optimizer(name, **hyper)
    params = list(params)
    for group in params:
        if isinstance(group, dict):
            extra = {k: v for k, v in group.items() if k != "params"}
            make_optimizer(name, **{**hyper, **extra})
    class_name, implied = TORCH_OPTIMIZERS[name]
    kwargs = {**implied, **hyper, **(torch_options or {})}
    if "betas" in kwargs:
        kwargs["betas"] = tuple(float(b) for b in kwargs["betas"])
    return getattr(torch.optim, class_name)(params, **kwargs)


TORCH_SCHEDULERS: dict[str, str] = {
    "step": "StepLR",
    "multistep": "MultiStepLR",
    "exponential": "ExponentialLR",
    "cosine": "CosineAnnealingLR",
    "cosine_warm_restarts": "CosineAnnealingWarmRestarts",
    "linear": "LinearLR",
    "one_cycle": "OneCycleLR",
    "plateau": "ReduceLROnPlateau",
}


def make_torch_scheduler(
    name: str,
    optimizer: torch.optim.Optimizer,
    *,
    torch_options: dict[str, Any] | None = None,
    **hyper: Any,
) -> Any:
    """``torch.optim.lr_scheduler``'s own scheduler for a schedule name, checked by our rules.

    The hyperparameters are those of the descentlab schedule without ``lr`` (torch takes the
    base rates from the optimizer's groups); the argument names are the same as torch's.
    ``"sequential"`` has no single torch equivalent here: use :class:`ScheduleAdapter` with a
    :class:`~descentlab.optim.schedules.SequentialLR`. ``torch_options`` passes torch-only
    arguments (e.g. OneCycleLR's ``cycle_momentum``) through unchecked.

    Example:
        >>> import torch
        >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        >>> scheduler = make_torch_scheduler("cosine", opt, T_max=10)
        >>> type(scheduler).__name__
        'CosineAnnealingLR'
    """
    check_choice("name", name, list(TORCH_SCHEDULERS))
    if "lr" in hyper:
        raise InputTypeError(
            "lr must not be given to make_torch_scheduler (torch takes it from the optimizer's "
            f"groups), got lr={hyper['lr']!r}"
        )
    for group in optimizer.param_groups:
        base = {} if name == "one_cycle" else {"lr": float(group["lr"])}
        make_schedule(name, **base, **hyper)
    cls = getattr(torch.optim.lr_scheduler, TORCH_SCHEDULERS[name])
    kwargs = {**hyper, **(torch_options or {})}
    if "milestones" in kwargs:
        kwargs["milestones"] = list(kwargs["milestones"])
    return cls(optimizer, **kwargs)


class ScheduleAdapter(torch.optim.lr_scheduler.LRScheduler):
    """Set a torch optimizer's learning rates from descentlab schedules.

    ``scheduler.step()`` after every ``optimizer.step()`` puts ``schedule(t)`` into the groups,
    exactly as the matching ``torch.optim.lr_scheduler`` would.

    Args:
        optimizer: any ``torch.optim.Optimizer`` (including :class:`DescentlabOptimizer`).
        schedules: one step schedule for every group, or a sequence with one per group.
    """

    def __init__(
        self,
        optimizer: torch.optim.Optimizer,
        schedules: Callable[[int], float] | Sequence[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        groups = len(optimizer.param_groups)
        listed = list(schedules) if isinstance(schedules, Sequence) else [schedules] * groups
        if len(listed) != groups or not all(callable(s) for s in listed):
            raise InputValueError(
                f"schedules must be one schedule or one per param group ({groups}), "
                f"got {describe(schedules)}"
            )
        self.schedules = listed
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        return [float(schedule(self.last_epoch)) for schedule in self.schedules]
