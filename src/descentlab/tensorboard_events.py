"""TensorBoard event files: scalars, hyperparameters (the HParams plugin) and figures of a run.

Written with the ``tensorboard`` package's record framing and protocol buffers only (imported on
first use): no TensorFlow import, so an export costs what reading the store costs.
:class:`EventWriter` writes one run folder's event file; :func:`new_run_folder` claims that folder
under a log directory; :func:`write_run` writes a stored run's whole record at once.

NOTE [tensorboard folders]: ``--tensorboard DIR`` follows NOTE [ownership]: DIR is a folder
descentlab created, or an empty or missing one (``prepare_output``). Each run gets a subfolder of
its own that did not exist before (``mkdir`` without ``exist_ok`` is the claim), so nothing already
there is overwritten and two writers never share an event file. An export is written into a hidden
``.NAME.partial`` folder and renamed into place when complete, so TensorBoard never shows half of
it; a live ``train`` folder is written as the run goes (that is the point of live) and flushed
after every epoch.

NOTE [tensorboard scalars]: scalars are TensorBoard's ``simple_value``, a float32; the store keeps
float64. What TensorBoard shows is the store's value rounded to float32 (exact values stay in the
store and in ``runs export``). A non-finite value (a diverged run) is written as NaN or ±inf.
"""

from __future__ import annotations

import json
import os
import re
import socket
import struct
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from descentlab.validation import InputTypeError, InputValueError, describe

__all__ = [
    "EventWriter",
    "LiveRun",
    "flat_hparams",
    "new_run_folder",
    "png_size",
    "publish_run_folder",
    "run_folder_name",
    "taken",
    "write_run",
]

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: PNG colour type → channels TensorBoard's image proto names (grey, RGB, grey+alpha, RGBA)
_CHANNELS = {0: 1, 2: 3, 3: 3, 4: 2, 6: 4}


def run_folder_name(*parts: object) -> str:
    """A run folder's name from ``parts`` joined by ``-``, anything but ``[A-Za-z0-9._=+-]``
    replaced by ``_`` (a trial label such as ``lrate=0.1, batch 8`` becomes one path segment)."""
    text = "-".join(str(p) for p in parts if str(p) != "")
    cleaned = re.sub(r"[^A-Za-z0-9._=+-]+", "_", text).strip("._") or "run"
    return cleaned[:120]


def taken(folder: Path, flag: str = "--tensorboard") -> InputValueError:
    """The refusal of a run folder that exists already (nothing is overwritten)."""
    return InputValueError(
        f"{flag} must not hold {folder.name!r} yet (nothing is overwritten), got "
        f"{str(folder)!r} (choose another folder or remove that one)"
    )


def new_run_folder(root: str | Path, name: str, *, flag: str = "--tensorboard") -> Path:
    """Claim ``root/name`` by creating it (NOTE [tensorboard folders]); an existing one is refused
    (nothing is overwritten). ``root`` must exist."""
    folder = Path(root) / name
    try:
        folder.mkdir()
    except FileExistsError:
        raise taken(folder, flag) from None
    except OSError as error:
        raise InputValueError(
            f"{flag} must be a writable folder, got {str(root)!r} ({error.strerror or error})"
        ) from None
    return folder


def publish_run_folder(staged: Path, final: Path, *, flag: str = "--tensorboard") -> Path:
    """Rename a complete staged folder to ``final``, refusing an existing one."""
    try:
        if final.exists():
            raise FileExistsError(final)
        os.rename(staged, final)
    except OSError:
        raise taken(final, flag) from None
    return final


def png_size(data: bytes) -> tuple[int, int, int]:
    """``(height, width, channels)`` of a PNG file's bytes (from its header)."""
    if not isinstance(data, bytes | bytearray) or data[:8] != _PNG_SIGNATURE or len(data) < 26:
        raise InputValueError(f"image must be the bytes of a PNG file, got {describe(data)}")
    width, height = struct.unpack(">II", data[16:24])
    return height, width, _CHANNELS.get(data[25], 4)


def flat_hparams(config: Mapping[str, Any], prefix: str = "") -> dict[str, float | str | bool]:
    """A run's settings as HParams values: nested mappings flattened to ``a.b`` keys; numbers,
    booleans and strings kept; lists written as JSON text; None left out."""
    if not isinstance(config, Mapping):
        raise InputTypeError(f"config must be a mapping, got {describe(config)}")
    flat: dict[str, float | str | bool] = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flat_hparams(value, prefix=f"{name}."))
        elif value is None:
            continue
        elif isinstance(value, bool | str):
            flat[name] = value
        elif isinstance(value, int | float):
            flat[name] = float(value)
        else:
            flat[name] = json.dumps(value, default=str)
    return flat


class EventWriter:
    """One event file in ``folder`` (an existing folder); a context manager that closes it.

    >>> with EventWriter(folder) as events:  # doctest: +SKIP
    ...     events.scalar("train_loss", 0.25, step=0)
    """

    def __init__(self, folder: str | Path) -> None:
        from tensorboard.compat.proto import event_pb2
        from tensorboard.summary.writer.record_writer import RecordWriter

        folder = Path(folder)
        if not folder.is_dir():
            raise InputValueError(f"folder must be an existing folder, got {str(folder)!r}")
        self._event_pb2 = event_pb2
        name = f"events.out.tfevents.{int(time.time())}.{socket.gethostname()}.{os.getpid()}.0"
        self.path = folder / name
        self._file = open(self.path, "xb")  # noqa: SIM115 (closed by close())
        self._records = RecordWriter(self._file)
        self._write(event_pb2.Event(wall_time=time.time(), file_version="brain.Event:2"))

    def _write(self, event: Any) -> None:
        self._records.write(event.SerializeToString())

    def _summary(self, summary: Any, step: int) -> None:
        self._write(self._event_pb2.Event(wall_time=time.time(), step=int(step), summary=summary))

    def scalar(self, tag: str, value: float, step: int) -> None:
        """``value`` at ``step`` (NOTE [tensorboard scalars])."""
        from tensorboard.compat.proto import summary_pb2

        value = float(value)
        self._summary(
            summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, simple_value=value)]),
            step,
        )

    def scalars(self, metrics: Mapping[str, Iterable[float]], *, first_step: int = 0) -> int:
        """Each series of ``metrics`` at steps ``first_step, first_step + 1, …``; the count."""
        count = 0
        for tag, series in metrics.items():
            for step, value in enumerate(series, start=first_step):
                self.scalar(tag, value, step)
                count += 1
        return count

    def image(self, tag: str, png: bytes, step: int = 0) -> None:
        """A PNG figure (its bytes) shown in TensorBoard's Images tab."""
        from tensorboard.compat.proto import summary_pb2

        height, width, channels = png_size(png)
        image = summary_pb2.Summary.Image(
            height=height, width=width, colorspace=channels, encoded_image_string=bytes(png)
        )
        self._summary(
            summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, image=image)]), step
        )

    def hparams(self, values: Mapping[str, float | str | bool], *, group: str = "") -> None:
        """The run's hyperparameters (the HParams plugin's session start).

        NOTE [tensorboard hparams]: no experiment summary is written. TensorBoard takes the first
        one it finds in a log directory and ignores the others, which would hide the settings of
        every other run (a trial's label, another experiment's fields); without one it builds
        the table from every run's session, with every scalar tag as a metric column."""
        from google.protobuf import struct_pb2
        from tensorboard.plugins.hparams import metadata, plugin_data_pb2

        start = plugin_data_pb2.SessionStartInfo(group_name=group, start_time_secs=time.time())
        for key, value in values.items():
            if isinstance(value, bool):
                start.hparams[key].CopyFrom(struct_pb2.Value(bool_value=value))
            elif isinstance(value, str):
                start.hparams[key].CopyFrom(struct_pb2.Value(string_value=value))
            else:
                start.hparams[key].CopyFrom(struct_pb2.Value(number_value=float(value)))
        self._plugin(
            metadata.SESSION_START_INFO_TAG,
            plugin_data_pb2.HParamsPluginData(
                session_start_info=start, version=metadata.PLUGIN_DATA_VERSION
            ),
        )

    def end(self, status: str) -> None:
        """The HParams session's end: ``finished`` → success, ``diverged``/``failed`` → failure,
        anything else (``interrupted``, ``running``) → unknown."""
        from tensorboard.plugins.hparams import api_pb2, metadata, plugin_data_pb2

        code = {"finished": api_pb2.STATUS_SUCCESS, "diverged": api_pb2.STATUS_FAILURE,
                "failed": api_pb2.STATUS_FAILURE}.get(status, api_pb2.STATUS_UNKNOWN)  # fmt: skip
        info = plugin_data_pb2.SessionEndInfo(status=code, end_time_secs=time.time())
        self._plugin(
            metadata.SESSION_END_INFO_TAG,
            plugin_data_pb2.HParamsPluginData(
                session_end_info=info, version=metadata.PLUGIN_DATA_VERSION
            ),
        )

    def _plugin(self, tag: str, data: Any) -> None:
        from tensorboard.compat.proto import summary_pb2
        from tensorboard.plugins.hparams import metadata

        content = summary_pb2.SummaryMetadata(
            plugin_data=summary_pb2.SummaryMetadata.PluginData(
                plugin_name=metadata.PLUGIN_NAME, content=data.SerializeToString()
            )
        )
        self._summary(
            summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, metadata=content)]), 0
        )

    def flush(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        if not self._file.closed:
            self.flush()
            self._file.close()

    def __enter__(self) -> EventWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_run(
    folder: str | Path,
    *,
    metrics: Mapping[str, Iterable[float]],
    hparams: Mapping[str, Any],
    status: str,
    figures: Iterable[tuple[str, bytes]] = (),
    group: str = "",
) -> int:
    """One run's event file in ``folder``: its hyperparameters (flattened with
    :func:`flat_hparams`), every metric series at the store's steps, its figures and its end
    status. Returns the number of scalars written."""
    with EventWriter(folder) as events:
        events.hparams(flat_hparams(hparams), group=group)
        count = events.scalars(metrics)
        for tag, png in figures:
            events.image(tag, png)
        events.end(status)
    return count


class LiveRun:
    """A run written while it goes (``train --tensorboard``): the hyperparameters first, each
    epoch's metrics at ``epoch(step, metrics)`` (flushed, so TensorBoard shows it at once), the
    figures and the end status at ``finish``."""

    def __init__(self, folder: str | Path, hparams: Mapping[str, Any]) -> None:
        self.folder = Path(folder)
        self.events = EventWriter(self.folder)
        self.events.hparams(flat_hparams(hparams))
        self.events.flush()
        self.written: set[int] = set()

    def epoch(self, step: int, metrics: Mapping[str, float]) -> None:
        for tag, value in metrics.items():
            self.events.scalar(tag, value, step)
        self.written.add(int(step))
        self.events.flush()

    def finish(
        self,
        status: str,
        figures: Iterable[tuple[str, bytes]] = (),
        history: Mapping[str, list[float]] | None = None,
    ) -> None:
        """End the run: the steps of ``history`` not written live (the epoch a run diverged in
        reports no progress event), the figures, the status."""
        for tag, series in (history or {}).items():
            for step, value in enumerate(series):
                if step not in self.written:
                    self.events.scalar(tag, value, step)
        for tag, png in figures:
            self.events.image(tag, png)
        self.events.end(status)
        self.events.close()

    def close(self) -> None:
        self.events.close()
