"""The worker's request loop: warm up, load one submission, call its functions (inside the sandbox).

Started by the grader as ``python -I -S -c`` with this folder on ``sys.path`` (see
``descentlab.grade.worker``). It talks over its original stdin/stdout (:mod:`.channel`); file
descriptors 0, 1 and 2 are then pointed at ``/dev/null`` so the learner's ``print``, ``input`` and
C-level writes cannot disturb the channel, and ``sys.stdout``/``sys.stderr`` become a capped
in-memory buffer.

Requests, each answered by one reply:

- ``init``: ``sys_path`` (the packages the sandbox shows and the submission's folder),
  ``memory_mb`` and ``warm``: the frameworks to import and exercise before the clock starts (NOTE
  [warm-up], [tensorflow warm-up]).
- ``load``: a spec (:mod:`.namespace`) and the names to look up; replies with the functions found
  and their parameter names. A framework the loading imported that ``init`` did not warm up is
  warmed up then (NOTE [lazy warm-up]).
- ``call``: a function name and its arguments; replies with what it returned or raised, what it
  printed, and every array argument *as it is after the call*, so that the grader can compare them
  with the pristine copies it kept.

Loading may map up to 4 × ``memory_mb`` more address space (imports), each call ``memory_mb`` more
than the loaded submission had (NOTE [memory limit]).
"""

from __future__ import annotations

import os
import sys
from typing import Any

import numpy as np

from .capture import CappedWriter, describe_error, package
from .channel import ChannelClosedError, read_message, write_message
from .namespace import build_namespace
from .wire import decode_wire, encode_wire

__all__ = ["main"]

_LOAD_FACTOR = 4


def _address_space() -> int | None:
    """This process's mapped address space in bytes (Linux), else None."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _limit_address_space(extra_mb: int) -> None:
    """NOTE [memory limit]: ``RLIMIT_AS`` counts every mapping, shared libraries included, and a
    CUDA build of PyTorch maps gigabytes of them. So the limit is set relative to what is mapped
    now: ``extra_mb`` more than the current address space. Soft and hard limits are both set, and
    nothing in the sandbox may raise a hard limit again."""
    import resource

    limit = (_address_space() or 0) + extra_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _warm_torch() -> None:
    """NOTE [warm-up]: the first use of a framework imports more of it (autograd's engine, the
    ``nn`` modules); one tiny step with the pieces learners use makes that happen before the time
    limit applies."""
    import torch
    import torch.nn as nn

    layer = nn.Linear(2, 1, bias=False, dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(np.ones((1, 2))))
    inputs = torch.as_tensor(np.ones((3, 2)))
    loss = nn.MSELoss()(layer(inputs), torch.zeros(3, 1, dtype=torch.float64))
    loss.backward()
    weight = torch.tensor(np.ones((2, 1)), requires_grad=True)
    value = torch.mean((torch.ones(3, 1, dtype=torch.float64) - inputs @ weight) ** 2)
    torch.autograd.grad(value, weight)
    value.item()
    weight.detach().numpy()


def _warm_torch_optim() -> None:
    """``torch.optim`` imports ``torch._dynamo`` when the first optimizer is made: seconds on a
    small machine, which a learner who builds ``torch.optim.SGD`` inside the function would
    otherwise pay in the first case's time limit."""
    import torch
    import torch.optim as optim

    parameter = torch.nn.Parameter(torch.ones(2, dtype=torch.float64))
    for make in (optim.SGD, optim.Adam):
        optimizer = make([parameter], lr=0.1)
        optimizer.zero_grad()
        (parameter**2).sum().backward()
        optimizer.step()


def _warm_tensorflow() -> None:
    """NOTE [tensorflow warm-up]: importing TensorFlow takes seconds, and its first op, its first
    ``GradientTape`` and the first trace of a ``tf.function`` (autograph) each load more. One
    gradient step of the linear model in float64 and float32, eager and traced, with a variable
    updated by ``assign_sub`` and results turned into NumPy, makes all of that happen before the
    clock of the first case starts. TensorFlow's thread pools are sized by the sandbox's
    environment (one intra-op and one inter-op thread, NOTE [tensorflow threads]), so they are
    made here, not inside a timed call."""
    import tensorflow as tf

    def step(features: Any, targets: Any, weight: Any, lrate: float) -> tuple[Any, Any]:
        with tf.GradientTape() as tape:
            tape.watch(weight)
            loss = tf.reduce_mean((targets - tf.matmul(features, weight)) ** 2)
        return weight - lrate * tape.gradient(loss, weight), loss

    traced = tf.function(step)
    for dtype in (tf.float64, tf.float32):
        features = tf.cast(np.ones((3, 2)), dtype)
        targets = tf.constant(np.ones((3, 1)), dtype=dtype)
        weight = tf.Variable(tf.zeros((2, 1), dtype))
        update, loss = step(features, targets, weight, 0.1)
        weight.assign_sub(weight - update)
        update, loss = traced(features, targets, tf.convert_to_tensor(weight), 0.1)
        update.numpy()
        float(loss.numpy())


_WARMERS = {
    "torch": _warm_torch,
    "torch.optim": _warm_torch_optim,
    "tensorflow": _warm_tensorflow,
}
_LAZY = ("torch", "tensorflow")


def _warm(names: list[str]) -> tuple[list[str], list[str]]:
    """Warm up each named framework; ``(warmed, failed)``. Output goes to a throw-away buffer."""
    warmed, failed = [], []
    sys.stdout = sys.stderr = CappedWriter()
    try:
        for name in names:
            try:
                _WARMERS[name]()
                warmed.append(name)
            except Exception:
                failed.append(name)
    finally:
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    return warmed, failed


class Worker:
    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {}
        self.filenames: set[str] = set()
        self.memory_mb: int | None = None
        self.tried: set[str] = set()

    def init(self, message: dict[str, Any]) -> dict[str, Any]:
        sys.path[:0] = [p for p in message.get("sys_path", []) if isinstance(p, str) and p]
        self.memory_mb = message.get("memory_mb")
        names = [name for name in message.get("warm", []) if name in _WARMERS]
        self.tried.update(names)
        warmed, failed = _warm(names)
        return {"ok": True, "warmed": warmed, "failed": failed}

    def warm_imported(self) -> None:
        """NOTE [lazy warm-up]: the grader reads the frameworks to warm up from the submission's
        import statements, without running it; a framework imported some other way
        (``importlib.import_module("tensorflow")``, ``__import__``) is warmed up here, after
        loading and before the first call, when the submission's loading has imported it: still
        outside every case's clock."""
        late = [name for name in _LAZY if name not in self.tried and name in sys.modules]
        self.tried.update(late)
        _warm(late)

    def load(self, message: dict[str, Any]) -> dict[str, Any]:
        spec = message["spec"]
        self.filenames = {unit["filename"] for unit in spec.get("units", [])}
        writer = CappedWriter()
        if self.memory_mb:
            _limit_address_space(_LOAD_FACTOR * self.memory_mb)
        sys.stdout = sys.stderr = writer
        try:
            self.namespace, notes = self._build(spec)
        except BaseException as error:
            return {
                "ok": False,
                "error": describe_error(error, self.filenames),
                "output": writer.getvalue(),
                "output_chars": writer.total,
            }
        finally:
            sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        self.warm_imported()
        if self.memory_mb:
            _limit_address_space(self.memory_mb)
        found = {}
        for name in message["names"]:
            value = self.namespace.get(name)
            if callable(value):
                found[name] = _parameters(value)
        return {
            "ok": True,
            "found": found,
            "notes": notes[:8],
            "output": writer.getvalue(),
            "output_chars": writer.total,
        }

    def _build(self, spec: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """The namespace; when a file's top level raises (not a syntax error), its definitions
        only (NOTE [notebook cells]), with a note that says why."""
        try:
            return build_namespace(spec)
        except SyntaxError:
            raise
        except BaseException as error:
            if spec.get("definitions_only"):
                raise
            first = error
        try:
            namespace, notes = build_namespace({**spec, "definitions_only": True})
        except BaseException:
            raise first from None
        where = describe_error(first, self.filenames)["frames"]
        line = f" (line {where[-1][1]})" if where else ""
        note = (
            f"running {spec['label']} raised {type(first).__name__}: {str(first)[:200]}{line}; "
            "only its definitions (functions, classes, imports, constants) were loaded and graded"
        )
        return namespace, [note, *notes]

    def call(self, message: dict[str, Any]) -> dict[str, Any]:
        function = self.namespace[message["name"]]
        args: list[Any] = []
        for argument in message["args"]:
            args.append(
                decode_wire(argument["array"]) if "array" in argument else argument["number"]
            )
        writer = CappedWriter()
        sys.stdout = sys.stderr = writer
        reply: dict[str, Any]
        try:
            result = function(*args)
            reply = {"status": "returned", "result": package(result)}
        except BaseException as error:
            reply = {"status": "raised", "error": describe_error(error, self.filenames)}
        finally:
            sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        reply["arguments"] = [_after(a) if isinstance(a, np.ndarray) else None for a in args]
        reply.update(output=writer.getvalue(), output_chars=writer.total)
        return reply


def _after(array: np.ndarray) -> dict[str, Any] | None:
    """The argument as the call left it; None when it can no longer be encoded."""
    try:
        return encode_wire(array)
    except Exception:
        return None


def _parameters(function: Any) -> list[str] | None:
    import inspect

    try:
        return [str(name) for name in inspect.signature(function).parameters]
    except (TypeError, ValueError):
        return None


def main() -> None:
    """Serve requests until the grader closes the channel."""
    channel_in, channel_out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    worker = Worker()
    handlers = {"init": worker.init, "load": worker.load, "call": worker.call}
    while True:
        try:
            message = read_message(channel_in)
        except ChannelClosedError:
            return
        handler = handlers.get(message.get("op", ""))
        if handler is None:
            return
        write_message(channel_out, handler(message))
