"""The launcher's pure parts (NOTE [launch]): ranks from torchrun's environment, the command
line, the threads per rank and the one line a failed launch ends with."""

from __future__ import annotations

import pytest

from descentlab.train.distributed import Ranks, check_world_size
from descentlab.train.launch import (
    LaunchOutcome,
    _root_cause,
    failure_line,
    ranks_from_environment,
    threads_per_rank,
    torchrun_command,
    without_nproc,
)
from descentlab.validation import InputError


def test_ranks_from_the_environment_torchrun_sets():
    assert ranks_from_environment({}) is None
    assert ranks_from_environment({"RANK": "0", "WORLD_SIZE": "1"}) is None
    ranks = ranks_from_environment({"RANK": "3", "WORLD_SIZE": "4", "LOCAL_RANK": "1"}, timeout=5)
    assert ranks == Ranks(3, 4, 1, 5) and not ranks.writer
    with pytest.raises(InputError, match="RANK, WORLD_SIZE and LOCAL_RANK must be integers"):
        ranks_from_environment({"RANK": "x", "WORLD_SIZE": "2"})
    with pytest.raises(InputError, match="rank must be below world_size 2, got 2"):
        ranks_from_environment({"RANK": "2", "WORLD_SIZE": "2"})


def test_the_command_drops_nproc_which_torchrun_would_take_for_its_own():
    argv = ["train", "--nproc", "2", "--epochs", "3", "--npr=2", "--json"]
    assert without_nproc(argv) == ["train", "--epochs", "3", "--json"]
    command = torchrun_command("py", 2, argv)
    assert command[:6] == ["py", "-m", "torch.distributed.run", "--standalone",
                           "--nproc-per-node", "2"]  # fmt: skip
    assert command[6:] == ["-m", "descentlab", "train", "--epochs", "3", "--json"]


def test_threads_share_the_cores():
    assert threads_per_rank(2, 2) == 1
    assert threads_per_rank(16, 3) == 5
    assert threads_per_rank(2, 4) == 1


REPORT = """Traceback (most recent call last):
torch.distributed.elastic.multiprocessing.errors.ChildFailedError:
Failures:
[1]:
  rank      : 0 (local_rank: 0)
  exitcode  : -15 (pid: 12784)  (SIGTERM)
Root Cause (first observed failure):
[0]:
  rank      : 1 (local_rank: 1)
  exitcode  : -9 (pid: 12785)
""".splitlines()


def test_the_failure_line_names_the_first_rank_that_failed():
    rank, code = _root_cause(REPORT)
    assert (rank, code) == (1, -9)
    outcome = LaunchOutcome(1, rank, code)
    assert outcome.exit_code == 1
    assert failure_line(outcome).startswith("descentlab: error: rank 1 was killed by signal 9;")
    assert LaunchOutcome(1, 0, 2).exit_code == 2
    assert failure_line(LaunchOutcome(1, 0, 2)) is None  # the rank said why in one line
    assert failure_line(LaunchOutcome(0)) is None


def test_another_world_size_is_refused():
    check_world_size({"config": {"world_size": 2}}, 2)
    check_world_size({"config": {}}, 1)
    with pytest.raises(InputError, match=r"written with \(2\), got 3 .*resume with --nproc 2"):
        check_world_size({"config": {"world_size": 2}}, 3)
    with pytest.raises(InputError, match=r"\(1\), got 2 .*resume without --nproc"):
        check_world_size({"config": {"run_id": 1}}, 2)


def test_a_failed_collective_becomes_one_clear_environment_error():
    from descentlab.train.distributed import PeerLostError, translate_peer_loss

    lost = translate_peer_loss(RuntimeError("[gloo/tcp/pair.cc:534] Connection closed by peer"), 0)
    assert isinstance(lost, PeerLostError) and isinstance(lost, OSError)
    assert str(lost).startswith("rank 0: another training process stopped or became unreachable")
    other = RuntimeError("mat1 and mat2 shapes cannot be multiplied")
    assert translate_peer_loss(other, 0) is other
