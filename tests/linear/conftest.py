from __future__ import annotations

from types import ModuleType

import pytest


@pytest.fixture(scope="module")
def tfb() -> ModuleType:
    """The TensorFlow backend, imported by the first test that asks (seconds, once a session);
    collecting ``tests/linear`` without it imports no TensorFlow."""
    from descentlab.linear import tf_backend

    return tf_backend
