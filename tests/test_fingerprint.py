"""Every seeded figure of the examples is what it was, unless a commit regenerated the store on purpose."""

from __future__ import annotations

import json

import pytest

from tests import fingerprint


@pytest.mark.parametrize("path", fingerprint.example_files(), ids=lambda p: p.stem)
def test_seeded_results_unchanged(path):
    stored = json.loads(fingerprint.STORE.read_text())
    rel = path.relative_to(fingerprint.ROOT).as_posix()
    for seed in fingerprint.SEEDS:
        key = f"{rel}@{seed}"
        assert key in stored, f"{key} has no fingerprint: run python -m tests.fingerprint --update"
        assert fingerprint.fingerprint(path, seed) == stored[key], (
            f"{key}: seeded results changed; if meant, regenerate with python -m tests.fingerprint --update "
            "and say why in the commit"
        )
