"""Length-prefixed JSON messages between the grader and its worker process.

NOTE [untrusted child]: the worker runs the learner's code, so whatever it sends is untrusted. The
grader therefore never unpickles: a message is a 4-byte big-endian length and a UTF-8 JSON object,
arrays travel as :mod:`.wire` records, and the grader checks every message against a strict schema
(``descentlab.grade.reply_schema``) before reading anything from it. Used on both sides of the pipe.
"""

from __future__ import annotations

import json
import os
import select
import struct
import time
from typing import Any

__all__ = [
    "MAX_MESSAGE_BYTES",
    "ChannelClosedError",
    "ChannelTimeoutError",
    "read_message",
    "write_message",
]

# A reply carries at most a million returned numbers and the (small) case arguments sent back.
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
_HEADER = struct.Struct(">I")


class ChannelClosedError(Exception):
    """The other end closed the pipe (the worker exited or was killed)."""


class ChannelTimeoutError(Exception):
    """No complete message arrived before the deadline."""


def write_message(fd: int, message: dict[str, Any]) -> None:
    """Send one JSON object on the file descriptor ``fd``."""
    payload = json.dumps(message).encode("utf-8")
    data = _HEADER.pack(len(payload)) + payload
    view = memoryview(data)
    while view:
        try:
            written = os.write(fd, view)
        except (BrokenPipeError, OSError) as error:
            raise ChannelClosedError(str(error)) from error
        view = view[written:]


def _read_exact(fd: int, size: int, deadline: float | None) -> bytes:
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ChannelTimeoutError()
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                raise ChannelTimeoutError()
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise ChannelClosedError("end of stream")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_message(fd: int, timeout: float | None = None) -> dict[str, Any]:
    """Receive one JSON object, waiting at most ``timeout`` seconds (None: no limit)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    (size,) = _HEADER.unpack(_read_exact(fd, _HEADER.size, deadline))
    if size > MAX_MESSAGE_BYTES:
        raise ChannelClosedError(f"message of {size} bytes is over the limit")
    try:
        message = json.loads(_read_exact(fd, size, deadline).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ChannelClosedError(f"message is not JSON: {error}") from None
    if not isinstance(message, dict):
        raise ChannelClosedError("message is not a JSON object")
    return message
