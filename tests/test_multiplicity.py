"""Holm and Benjamini–Hochberg on known p-values; secondary verdicts corrected in a comparison."""

from __future__ import annotations

import math

import pytest

from orgsim.metrics.multiplicity import bh, holm, paired_p


def test_holm_on_a_textbook_set() -> None:
    # m = 5: thresholds 0.01, 0.0125, 0.0167, 0.025, 0.05 for the sorted p-values
    p = [0.001, 0.012, 0.014, 0.04, 0.2]
    assert holm(p) == [True, True, True, False, False]  # 0.04 > 0.025 stops the steps
    assert holm([0.03, 0.04]) == [False, False]  # 0.03 > 0.05 / 2 ...
    assert bh([0.03, 0.04]) == [True, True]  # ... while BH keeps both (0.04 <= 2 · 0.05 / 2)


def test_bh_on_a_textbook_set() -> None:
    # sorted p·m/k: 0.005, 0.03, 0.0233, 0.05, 0.2 -> the largest k with p_(k) <= k·q/m is k = 4
    p = [0.001, 0.012, 0.014, 0.04, 0.2]
    assert bh(p) == [True, True, True, True, False]
    assert bh([0.5, 0.6]) == [False, False]


def test_nan_p_values_are_left_out() -> None:
    assert holm([math.nan, 0.02]) == [False, True]  # m = 1: 0.02 <= 0.05
    assert bh([math.nan, 0.02]) == [False, True]


def test_paired_p_matches_the_t_distribution() -> None:
    # differences 1, 2, 3: t = 2 / (1 / sqrt 3) = 3.464 with 2 degrees of freedom; two-sided p = 0.0742
    assert paired_p([1.0, 2.0, 3.0]) == pytest.approx(0.07418, abs=1e-5)
    assert paired_p([0.0, 0.0]) == 1.0 and math.isnan(paired_p([1.0]))


def test_secondary_verdicts_are_corrected_in_a_comparison() -> None:
    from orgsim.experiment.study import run_study
    from orgsim.scenario import load_scenario
    from orgsim.scenario.overrides import with_run_settings
    from tests.conftest import ROOT

    short = [with_run_settings(load_scenario(ROOT / "scenarios" / n), horizon_days=14.0, warmup_days=2.0)
             for n in ("network.yaml", "audience.yaml")]
    study = run_study(short, replications=3, seed=5, workers=1, detail=False)
    holm_table = study.table
    assert "Holm" in holm_table.attrs["correction_note"]
    study.correction = "none"
    del study.table  # the cached table, made again without correction
    raw = study.table
    for (_, a), (_, b) in zip(holm_table.iterrows(), raw.iterrows(), strict=True):
        if a["primary"]:
            assert a["verdict"] == b["verdict"]  # primary metrics: 95% each, whatever the correction
        elif a["verdict"] != b["verdict"]:
            assert a["verdict"] == "no clear difference"  # a correction only ever removes a claim
