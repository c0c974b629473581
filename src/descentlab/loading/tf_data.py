"""A real ``tf.data`` pipeline as one more loader kind (``"tfdata"``): from tensors or NumPy arrays
in memory, from a pair of ``.npy`` files or from a Parquet file, with seeded reshuffling per epoch,
batching, prefetching and caching, delivering torch tensors to the caller.

NOTE [tf.data order]: ``tf.data.Dataset.shuffle`` draws from TensorFlow's own random streams and
its buffered shuffle is not a uniform permutation unless the buffer holds the whole data set, so
no seed makes it give the order ``torch.randperm`` gives the other kinds (NOTE [epoch
permutation]). The default ``order="permutation"`` therefore feeds the pipeline the *indices* of
the same epoch permutation, drawn from the loader's torch generator: each epoch the permutation is
written into a ``tf.Variable``, and the pipeline is ``range(batches) → slice of the indices →
gather the rows → prefetch``, built once. Equal seeds give batches equal, bit for bit, to every
in-memory kind and to ``"npy"`` (the Parquet source too, since its rows are read whole and
gathered the same way), and the generator's state at an epoch boundary resumes the sequence.
``order="shuffle"`` is the textbook pipeline instead — rows → ``cache()`` → ``shuffle(buffer,
seed, reshuffle_each_iteration=True)`` → ``batch`` → ``prefetch`` — deterministic for a seed
(each new loader replays the same epochs) but with an order of its own that matches no other kind.

What breaks determinism (none of it is offered here): a parallel ``map``/``interleave`` with
``deterministic=False`` (or ``tf.data.Options().deterministic = False``) hands out elements in
completion order; ``shuffle`` with no seed (nor a global seed) and ``reshuffle_each_iteration``
gives a new order every run; ``AUTOTUNE`` parallelism is safe only while ``deterministic`` stays
True and the mapped functions are themselves deterministic (a random op inside a parallel map
draws in scheduling order); and ``cache()`` placed after the shuffle freezes the first epoch's
order for every later epoch. ``num_parallel_calls`` here keeps ``deterministic=True``.

TensorFlow is imported quietly (NOTE [quiet tensorflow] in :mod:`descentlab.quiet_tensorflow`),
only when a ``"tfdata"`` loader is built.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch

from descentlab.loading.base import EpochLoader
from descentlab.loading.npy_file import NpyLoader
from descentlab.loading.options import LoaderOptions
from descentlab.loading.sampler import EpochBatches, EpochSampler
from descentlab.validation import (
    InputTypeError,
    InputValueError,
    check_bool,
    check_choice,
    check_int,
    check_positive_int,
    check_seed,
    describe,
)

__all__ = [
    "ORDERS",
    "ArraySource",
    "NpySource",
    "TFDataLoader",
    "epoch_stream",
    "tensorflow",
    "tf_source",
]

ORDERS = ("permutation", "shuffle")
READ_ROWS = 4096
"""Rows read per call when ``order="shuffle"`` streams the source in file order."""


def tensorflow() -> Any:
    """The ``tensorflow`` module (NOTE [quiet tensorflow])."""
    from descentlab.quiet_tensorflow import tensorflow as quiet_import

    return quiet_import()


ALIGNMENT = 64
"""Bytes TensorFlow's CPU kernels assume a tensor's memory is aligned to (Eigen's maximum)."""


def _shared(tf: Any, tensor: torch.Tensor) -> Any:
    """NOTE [aligned sharing]: a torch tensor becomes a ``tf.Tensor`` without a copy through
    DLPack, but TensorFlow's kernels assume 64-byte aligned memory and abort the whole process
    (a failed C++ check, no exception) when a gather reads a tensor that is not — such as one
    ``torch.from_numpy`` made from an array NumPy allocated (16-byte aligned). Aligned tensors are
    shared; the others are copied once into memory TensorFlow allocates."""
    tensor = tensor.detach().contiguous()
    if tensor.data_ptr() % ALIGNMENT == 0:
        return tf.experimental.dlpack.from_dlpack(tensor.__dlpack__())
    return tf.constant(tensor.numpy())


class ArraySource:
    """Samples in memory, shared with TensorFlow without a copy where they are aligned (NOTE
    [aligned sharing])."""

    def __init__(self, X: torch.Tensor, y: torch.Tensor) -> None:
        if X.device.type != "cpu":
            raise InputValueError(
                "X must be on the CPU for loader kind 'tfdata' (TensorFlow runs on the CPU here; "
                f"pass device= to deliver batches elsewhere), got data on {X.device}"
            )
        tf = tensorflow()
        self.n_samples = X.shape[0]
        self.X, self.y = _shared(tf, X), _shared(tf, y)

    def gather(self, indices: Any) -> tuple[Any, Any]:
        """The rows at ``indices`` (an int64 ``tf.Tensor``), inside the pipeline's graph."""
        tf = tensorflow()
        return tf.gather(self.X, indices), tf.gather(self.y, indices)

    def close(self) -> None:
        pass


class NpySource:
    """Two memory-mapped ``.npy`` files, rows read with bounded memory (NOTE [mapped pages])."""

    def __init__(self, x_path: str | Path, y_path: str | Path, options: LoaderOptions) -> None:
        files = NpyLoader(x_path, y_path, options)  # the ``"npy"`` kind's checks and mappings
        self.x_file, self.y_file = files.X, files.y
        self.n_samples = len(self.x_file)

    def _take(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.x_file.take(rows), self.y_file.take(rows)

    def gather(self, indices: Any) -> tuple[Any, Any]:
        tf = tensorflow()
        dtypes = [tf.as_dtype(self.x_file.dtype), tf.as_dtype(self.y_file.dtype)]
        xs, ys = tf.numpy_function(self._take, [indices], dtypes, stateful=False)
        xs.set_shape([None, *self.x_file.shape[1:]])
        ys.set_shape([None, *self.y_file.shape[1:]])
        return xs, ys

    def in_memory(self) -> ArraySource:
        """Every row read once (``cache=True``), then the files closed."""
        xs, ys = self._take(np.arange(self.n_samples))
        self.close()
        return ArraySource(torch.from_numpy(xs), torch.from_numpy(ys))

    def close(self) -> None:
        self.x_file.close()
        self.y_file.close()


def _parquet_rows(path: Any, target: Any, options: LoaderOptions) -> ArraySource:
    """A Parquet file's features and target read whole: random access to rows (the permutation
    order) needs them in memory; the file's checks are the ``"parquet"`` loader's."""
    from descentlab.loading.parquet_file import ParquetLoader

    reader = ParquetLoader(path, target, options)
    xs, ys = reader._read(list(range(reader.row_groups)))
    return ArraySource(torch.from_numpy(xs), torch.from_numpy(ys))


def tf_source(X: Any, y: Any, options: LoaderOptions) -> ArraySource | NpySource:
    """The samples a ``"tfdata"`` loader reads: ``X``, ``y`` as tensors or arrays in memory;
    paths of two ``.npy`` files; or a Parquet file's path and its target column's name."""
    if isinstance(X, str | Path):
        if Path(X).suffix.lower() in (".parquet", ".pq"):
            return _parquet_rows(X, y, options)
        return NpySource(X, y, options)
    from descentlab.loading.tensors import as_sample_tensors

    return ArraySource(*as_sample_tensors(X, y))


class TFDataLoader(EpochLoader):
    """Batches from a ``tf.data`` pipeline, delivered as torch tensors (through DLPack, no copy;
    the conversion is part of the loader's measured time).

    ``order`` — ``"permutation"``: the epoch permutation every kind uses, fed as indices (NOTE
    [tf.data order]); ``"shuffle"``: ``Dataset.shuffle`` with a seed from the loader's generator
    and ``shuffle_buffer`` rows (default: all), an order of its own. ``prefetch`` — batches
    prepared ahead of the caller (0: none). ``cache`` — with ``"shuffle"``, ``Dataset.cache()``
    before the shuffle keeps the rows read from the file after the first epoch; with
    ``"permutation"``, a ``.npy`` source is read into memory once (a ``cache()`` stage after the
    order would freeze the first epoch's order). ``num_parallel_calls`` — parallel gathers (an
    int or ``"autotune"``), always with ``deterministic=True``.
    """

    kind = "tfdata"

    def __init__(
        self,
        source: ArraySource | NpySource,
        options: LoaderOptions,
        *,
        order: str = "permutation",
        prefetch: int = 2,
        cache: bool = False,
        shuffle_buffer: int | None = None,
        num_parallel_calls: int | str | None = None,
    ) -> None:
        try:
            super().__init__(source.n_samples, options)
            self.order = check_choice("order", order, ORDERS)
            self.prefetch = check_int("prefetch", prefetch, minimum=0)
            self.cache = check_bool("cache", cache)
            buffer = source.n_samples if shuffle_buffer is None else shuffle_buffer
            self.shuffle_buffer = check_positive_int("shuffle_buffer", buffer)
            parallel = _parallel_calls(num_parallel_calls)
            if self.cache and self.order == "permutation" and isinstance(source, NpySource):
                source = source.in_memory()
        except Exception:
            source.close()
            raise
        self.source = source
        self.batches = EpochBatches(
            EpochSampler(source.n_samples, shuffle=options.shuffle, generator=options.generator),
            options.batch_size,
            drop_last=options.drop_last,
        )
        tf = tensorflow()
        if self.order == "permutation":
            self._indices = tf.Variable(tf.zeros([self.batches.stop], tf.int64), trainable=False)
            dataset = self._permutation_pipeline(tf, parallel)
        else:
            dataset = self._shuffle_pipeline(tf, parallel)
        self.dataset = dataset.prefetch(self.prefetch) if self.prefetch else dataset

    def _permutation_pipeline(self, tf: Any, parallel: int | None) -> Any:
        size, stop, indices = self.batch_size, self.batches.stop, self._indices

        def batch_indices(i: Any) -> Any:
            return indices[i * size : tf.minimum((i + 1) * size, stop)]

        dataset = tf.data.Dataset.range(len(self)).map(batch_indices)
        return _map(dataset, self.source.gather, parallel)

    def _shuffle_pipeline(self, tf: Any, parallel: int | None) -> Any:
        n = self.source.n_samples

        def read(start: Any) -> Any:
            return self.source.gather(tf.range(start, tf.minimum(start + READ_ROWS, n)))

        rows = tf.data.Dataset.range(0, n, READ_ROWS)
        rows = _map(rows, read, parallel).unbatch()
        if self.cache:
            rows = rows.cache()
        if self.shuffle:
            seed = int(torch.randint(1 << 31, (1,), generator=self.generator))
            rows = rows.shuffle(self.shuffle_buffer, seed=seed, reshuffle_each_iteration=True)
        return rows.batch(self.batch_size, drop_remainder=self.drop_last)

    def __iter__(self) -> Iterator[Any]:
        if self.order == "permutation":
            self._indices.assign(self.batches.sampler.order()[: self.batches.stop].numpy())
        batch, to_torch = self.delivery.batch, torch.from_dlpack
        for xb, yb in self.dataset:
            yield batch(to_torch(xb), to_torch(yb))

    def close(self) -> None:
        self.source.close()

    def __enter__(self) -> TFDataLoader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _map(dataset: Any, function: Any, parallel: int | None) -> Any:
    """``dataset.map``, in order: parallel calls only with ``deterministic=True`` (NOTE [tf.data
    order]); TensorFlow warns when ``deterministic`` is given without parallel calls."""
    if parallel is None:
        return dataset.map(function)
    return dataset.map(function, num_parallel_calls=parallel, deterministic=True)


def _parallel_calls(value: Any) -> int | None:
    """``None`` (one gather at a time), a positive int, or ``"autotune"`` (tf.data.AUTOTUNE)."""
    if value is None:
        return None
    if isinstance(value, str):
        check_choice("num_parallel_calls", value, ("autotune",))
        return tensorflow().data.AUTOTUNE
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputTypeError(
            f"num_parallel_calls must be None, a positive integer or 'autotune', got "
            f"{describe(value)}"
        )
    return check_positive_int("num_parallel_calls", value)


class _EpochOrders:
    """The epoch permutations of a seed, epoch ``e`` on request: drawn in sequence from the lab's
    generator (NOTE [epoch permutation]) and replayed from the seed when a new pass of the stream
    starts again at epoch 0, so every pass gives the same epochs."""

    def __init__(self, n_samples: int, stop: int, seed: int) -> None:
        self.stop = stop
        self.generator = torch.Generator().manual_seed(seed)
        self.start_state = self.generator.get_state()
        self.sampler = EpochSampler(n_samples, shuffle=True, generator=self.generator)
        self.next_epoch = 0

    def __call__(self, epoch: Any) -> np.ndarray:
        epoch = int(epoch)
        if epoch != self.next_epoch:
            self.generator.set_state(self.start_state)
            for _ in range(epoch):
                self.sampler.order()
        self.next_epoch = epoch + 1
        return self.sampler.order()[: self.stop].numpy()


def epoch_stream(
    X: np.ndarray,
    y: np.ndarray,
    batch_size: int,
    *,
    epochs: int,
    seed: int,
    drop_last: bool = False,
    prefetch: int = 2,
) -> Any:
    """``epochs`` epochs of ``(xb, yb)`` float32 batches as ONE ``tf.data.Dataset`` of TensorFlow
    tensors, for Keras ``fit(..., steps_per_epoch=batch_count(len(X), batch_size, ...))``.

    The pipeline is ``range(epochs) → the epoch's permutation → range(batches) → slice of it →
    gather the rows → prefetch``. Each epoch is a new permutation drawn from ``seed`` exactly as
    every ``make_loader`` kind draws it (NOTE [tf.data order]): the batches equal, bit for bit,
    those of ``make_loader(kind, X, y, batch_size, seed=seed)`` epoch after epoch, and every pass
    over the dataset replays the same epochs. Batches never straddle two epochs (the last one of
    an epoch is partial unless ``drop_last``). Keras keeps one iterator across its epochs when
    ``steps_per_epoch`` is given, so one stream feeds a whole ``fit``; without it Keras would
    start the stream again each epoch and repeat the first epoch's order.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim != 2 or y.ndim != 2 or len(X) != len(y) or len(X) == 0:
        raise InputValueError(
            "X and y must be 2-D arrays with the same positive number of rows, got shapes "
            f"{X.shape} and {y.shape}"
        )
    epochs = check_positive_int("epochs", epochs)
    seed = check_seed("seed", seed)
    prefetch = check_int("prefetch", prefetch, minimum=0)
    tf = tensorflow()
    batches = EpochBatches(
        EpochSampler(len(X), shuffle=True, generator=torch.Generator()),
        batch_size,
        drop_last=check_bool("drop_last", drop_last),
    )
    size, stop, count = batches.batch_size, batches.stop, len(batches)
    orders = _EpochOrders(len(X), stop, seed)
    features = tf.constant(np.ascontiguousarray(X, dtype=np.float32))
    targets = tf.constant(np.ascontiguousarray(y, dtype=np.float32))

    def permutation(epoch: Any) -> Any:
        order = tf.numpy_function(orders, [epoch], tf.int64, stateful=True)
        order.set_shape([stop])
        return order

    def epoch_batches(order: Any) -> Any:
        def cut(i: Any) -> Any:
            return order[i * size : tf.minimum((i + 1) * size, stop)]

        return tf.data.Dataset.range(count).map(cut)

    def gather(indices: Any) -> tuple[Any, Any]:
        return tf.gather(features, indices), tf.gather(targets, indices)

    stream = tf.data.Dataset.range(epochs).map(permutation).flat_map(epoch_batches).map(gather)
    return stream.prefetch(prefetch) if prefetch else stream
