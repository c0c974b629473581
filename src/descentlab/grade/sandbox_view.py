"""What the sandbox shows of this machine: the interpreter, the system libraries and a chosen set
of installed packages, and which folders must stay hidden.

NOTE [package view]: the worker runs ``python -I -S`` (no user site, no ``.pth`` files, no
``PYTHON*`` variables), so ``sys.path`` holds only the standard library and the folders the
grader names. The packages a submission may import are the distributions in
:data:`ALLOWED_DISTRIBUTIONS` that are installed, with everything they require (read from their
metadata), each top-level module bound read-only into one folder. descentlab itself is never among
them, and every ``site-packages``/``dist-packages`` folder that lies inside a bound system folder is
covered by an empty one, so an installed copy of descentlab cannot be reached there either.
"""

from __future__ import annotations

import functools
import importlib.metadata as metadata
import re
import site
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ALLOWED_DISTRIBUTIONS", "SystemView", "package_paths", "system_view"]

ALLOWED_DISTRIBUTIONS = (
    "numpy",
    "scipy",
    "pandas",
    "matplotlib",
    "scikit-learn",
    "torch",
    "tensorflow",
    "tensorflow-cpu",
    "keras",
    "jax",
    "jaxlib",
)
_NEVER = re.compile(r"^(descentlab|_descentlab|__editable__)", re.IGNORECASE)
_SYSTEM_ROOTS = ("/usr", "/lib", "/lib64", "/lib32", "/libx32", "/bin", "/sbin")
_ETC_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime")


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(requirement: str) -> str | None:
    """The distribution a requirement names, or None for an optional (``extra ==``) one."""
    if "extra ==" in requirement.replace('"', "'").replace("extra==", "extra =="):
        return None
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    return _normalise(match.group(1)) if match else None


def _top_levels(dist: metadata.Distribution) -> set[str]:
    """The first path components a distribution installs (packages, modules, ``*.libs``)."""
    record = dist.read_text("RECORD") or ""
    names = set()
    for line in record.splitlines():
        first = line.split(",", 1)[0].split("/", 1)[0]
        if not first or first in ("..", "__pycache__") or first.endswith((".dist-info", ".pth")):
            continue
        if first.endswith(".egg-info") or _NEVER.match(first):
            continue
        names.add(first)
    return names


@functools.lru_cache(maxsize=4)
def package_paths(allowed: tuple[str, ...] = ALLOWED_DISTRIBUTIONS) -> tuple[Path, ...]:
    """The top-level files and folders of the allowed distributions and their requirements."""
    installed: dict[str, metadata.Distribution] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name and _normalise(name) not in installed:
            installed[_normalise(name)] = dist
    pending = [_normalise(n) for n in allowed]
    chosen: dict[str, metadata.Distribution] = {}
    while pending:
        name = pending.pop()
        if name in chosen or name not in installed or _NEVER.match(name):
            continue
        dist = chosen[name] = installed[name]
        pending.extend(n for r in dist.requires or () if (n := _requirement_name(r)))
    paths = []
    for dist in chosen.values():
        for top in sorted(_top_levels(dist)):
            path = Path(str(dist.locate_file(top)))
            if path.exists():
                paths.append(path)
    return tuple(dict.fromkeys(paths))


@dataclass(frozen=True)
class SystemView:
    """``binds``: host folders and files shown read-only at the same path; ``hidden``: folders
    inside them covered by an empty one; ``interpreter``: the real Python executable."""

    binds: tuple[str, ...]
    hidden: tuple[str, ...]
    interpreter: str


def _inside(path: Path, roots: tuple[str, ...]) -> bool:
    return any(path == Path(r) or Path(r) in path.parents for r in roots)


@functools.lru_cache(maxsize=1)
def system_view() -> SystemView:
    """The system folders to show and the package folders inside them to hide."""
    interpreter = Path(sys.executable).resolve()
    base = Path(sys.base_prefix).resolve()
    binds = [r for r in _SYSTEM_ROOTS if Path(r).exists()]
    if not _inside(base, tuple(binds)):
        binds.append(str(base))
    if not _inside(interpreter, tuple(binds)):
        binds.append(str(interpreter))
    binds += [f for f in _ETC_FILES if Path(f).exists()]
    candidates = {Path(p) for p in site.getsitepackages()}
    for scheme in ("posix_prefix", "posix_local", "deb_system"):
        try:
            paths = sysconfig.get_paths(scheme, vars={"base": str(base), "platbase": str(base)})
        except KeyError:
            continue
        candidates |= {Path(paths["purelib"]), Path(paths["platlib"])}
    for root in ("/usr/lib", "/usr/local/lib", "/usr/lib64", "/usr/local/lib64"):
        candidates |= set(Path(root).glob("python3*/site-packages"))
        candidates |= set(Path(root).glob("python3*/dist-packages"))
    candidates |= set(Path("/usr/lib/python3").glob("dist-packages"))
    package = Path(__file__).resolve().parents[1]
    candidates.add(package)
    roots = tuple(binds)
    hidden = sorted(
        str(p.resolve()) for p in candidates if p.is_dir() and _inside(p.resolve(), roots)
    )
    return SystemView(tuple(binds), tuple(hidden), str(interpreter))
