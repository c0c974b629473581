"""Files written whole or not at all; a folder held by one run; a manifest per run."""

from __future__ import annotations

import errno
import json

import pytest

from descentlab.atomic_files import OutputWriteError, publish_new, write_file, write_text
from descentlab.lifecycle.output_folder import (
    FolderBusyError,
    claim_folder,
    prepare_output,
)
from descentlab.validation import InputValueError


def _no_temporaries(folder):
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")] == []


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = write_text(tmp_path / "results.json", '{"old": 1}\n')

    def full_disk(stream):
        stream.write(b'{"new": ')
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OutputWriteError, match=r"results\.json.*No space left") as caught:
        write_file(target, full_disk)
    assert caught.value.no_room and isinstance(caught.value, InputValueError)
    assert json.loads(target.read_text()) == {"old": 1}
    assert _no_temporaries(tmp_path)


def test_publish_new_never_replaces_a_file(tmp_path):
    target = tmp_path / "run-1.csv"
    publish_new(target, lambda staged: staged.write_text("a\n"))
    with pytest.raises(InputValueError, match="must not exist yet"):
        publish_new(target, lambda staged: staged.write_text("b\n"))
    assert target.read_text() == "a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run-1.csv"]


def test_a_second_claim_is_refused_at_once_naming_the_holder(tmp_path):
    with claim_folder(tmp_path / "gd") as first:
        first.set_run(7, "gd")
        with pytest.raises(FolderBusyError, match=r"in use by another run.*held by pid \d+"):
            claim_folder(tmp_path / "gd")
    claim_folder(tmp_path / "gd").release()  # released with the first


def test_a_claim_removes_the_previous_runs_files_and_temporaries(tmp_path):
    folder = tmp_path / "train"
    with claim_folder(folder) as claim, claim.recording():
        claim.set_run(1, "train")
        for name in ("a.png", "checkpoint.pt", "results.json"):
            write_text(folder / name, "x")
    (folder / ".a.png.1234.tmp").write_text("torn")
    (folder / "notes.txt").write_text("the user's")  # never descentlab's: kept
    with claim_folder(folder, keep=("checkpoint.pt",)) as claim:
        assert claim.previous.run_id == 1 and not claim.previous.complete
        names = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
        assert names == ["checkpoint.pt", "manifest.json", "notes.txt"]
        assert _no_temporaries(folder)


@pytest.mark.parametrize("make", ["file", "foreign", "long"])
def test_prepare_output_refuses_naming_the_flag(tmp_path, make):
    target = tmp_path / "x"
    if make == "file":
        target.write_text("mine")
    elif make == "foreign":
        target.mkdir()
        (target / "thesis.tex").write_text("mine")
    else:
        target = tmp_path / ("d" * 300)
    with pytest.raises(InputValueError, match=r"^--to must be"):
        prepare_output(target, name="--to")
