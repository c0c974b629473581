"""Shared fixtures for the grader tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from descentlab.grade import REGISTRY, generate_cases
from descentlab.grade.generate import SHIPPED_SEED, render_json

FIVE_SEEDS = (SHIPPED_SEED, 1, 2, 3, 4)


@pytest.fixture(scope="session")
def five_seed_cases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One case directory holding the cases of five seeds (the shipped seed and four others),
    so a correct submission is checked on all of them with one worker start."""
    root = tmp_path_factory.mktemp("five-seeds")
    merged = root / "merged"
    for seed in FIVE_SEEDS:
        generate_cases(root / f"seed-{seed}", seed)
    for name in REGISTRY:
        for visibility in ("public", "hidden"):
            documents = [
                json.loads((root / f"seed-{seed}" / name / f"{visibility}.json").read_text())
                for seed in FIVE_SEEDS
            ]
            combined = dict(documents[0], seed=list(FIVE_SEEDS), cases=[])
            for seed, document in zip(FIVE_SEEDS, documents, strict=True):
                for case in document["cases"]:
                    combined["cases"].append(dict(case, id=f"seed{seed}-{case['id']}"))
            (merged / name).mkdir(parents=True, exist_ok=True)
            (merged / name / f"{visibility}.json").write_text(render_json(combined))
    return merged
