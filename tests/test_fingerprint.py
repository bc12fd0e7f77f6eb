"""Every seeded figure of the examples is what it was, unless a commit regenerated the store on purpose,
and the same on every CPU this machine can imitate (numpy's SIMD levels, glibc's SSE2 libm)."""

from __future__ import annotations

import json

import pytest

from tests import fingerprint

STORED = json.loads(fingerprint.STORE.read_text())
#: runs that did diverge on AVX-512 when the lognormal's parameters went through numpy's SIMD log
#: (numpy 2.4): the quick check at every level in the default suite; --runslow checks every run
SENSITIVE = ["scenarios/audience.yaml@2", "scenarios/function.yaml@2", "scenarios/what-if/network-planning-seat.yaml@2"]
LEVELS = fingerprint.cpu_levels()


@pytest.mark.parametrize("path", fingerprint.example_files(), ids=lambda p: p.stem)
def test_seeded_results_unchanged(path):
    rel = path.relative_to(fingerprint.ROOT).as_posix()
    for seed in fingerprint.SEEDS:
        key = f"{rel}@{seed}"
        assert key in STORED, f"{key} has no fingerprint: run python -m tests.fingerprint --update"
        assert fingerprint.fingerprint(path, seed) == STORED[key], (
            f"{key}: seeded results changed; if meant, regenerate with python -m tests.fingerprint --update "
            "and say why in the commit"
        )


def _check(level: str, keys: list[str]) -> None:
    got = fingerprint.at_level(LEVELS[level], keys)
    differ = [k for k in keys if got[k] != STORED[k]]
    assert not differ, f"at CPU level {level} ({LEVELS[level]}) these runs differ from the stored fingerprints: {differ}"


def test_levels_found():
    """The machinery sees at least numpy's baseline (a CPU with nothing above it still gets one level)."""
    assert "baseline" in LEVELS
    assert all(isinstance(v, str) for env in LEVELS.values() for v in env.values())


@pytest.mark.parametrize("level", list(LEVELS))
def test_same_bits_at_every_cpu_level(level):
    assert set(SENSITIVE) <= set(STORED)
    _check(level, SENSITIVE)


@pytest.mark.slow
@pytest.mark.parametrize("level", list(LEVELS))
def test_every_example_at_every_cpu_level(level):
    _check(level, sorted(STORED))
