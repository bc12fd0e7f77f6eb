"""Page one's trade-off: the recommendation names every measure that gets clearly worse, never only the good news."""

from __future__ import annotations

from orgsim.experiment.study import Study
from orgsim.report.decision import decide
from tests.test_report import _figures, _short


def _study(base: list[tuple[float, float]], other: list[tuple[float, float]]) -> Study:
    """Two designs; each replication's (silo latency, busiest person's utilisation)."""
    runs = [[_figures(x, 0.5, busy) for x, busy in base], [_figures(x, 0.5, busy) for x, busy in other]]
    return Study([_short("network.yaml"), _short("audience.yaml")], runs, seed=1, replications=len(base))


BASE = [(30.0, 0.80), (32.0, 0.82), (31.0, 0.78), (33.0, 0.80)]


def test_a_choice_with_a_loss_is_recommended_as_a_trade_off() -> None:
    # faster by 5 h on every replication (latency and its p90 clearly better), the busiest person 15 points busier
    study = _study(BASE, [(x - 5, busy + 0.15) for x, busy in BASE])
    d = decide(study)
    assert d.choice == 1 and d.losses == ["busiest person's load"]  # plain words, as on the page
    assert d.lead == ("Move to “by audience” if fast answers to other departments matters more to you than "
                      "a lighter load on the busiest person.")
    assert "Clearly worse on 1: busiest person's load 80% → 95%." in d.detail
    assert "average wait for an answer 31.5 h → 26.5 h" in d.detail  # both means, the baseline first, plain words


def test_a_choice_with_no_loss_says_so_and_the_others_losses_are_named() -> None:
    study = _study(BASE, [(x - 5, busy) for x, busy in BASE])
    d = decide(study)
    assert d.lead == "Move to “by audience” for fast answers to other departments, with no measure clearly worse than “by network”."
    assert d.others_worse == []


def test_a_design_not_chosen_still_has_its_losses_on_page_one() -> None:
    # slower on every replication: the baseline is kept, and what the alternative would cost is said
    study = _study(BASE, [(x + 5, busy) for x, busy in BASE])
    d = decide(study)
    assert d.choice == 0 and d.lead.startswith("Keep “by network”")
    assert d.others_worse == ["“by audience” is clearly worse than “by network” on average wait for an answer "
                              "31.5 h → 36.5 h; wait that 1 request in 10 exceeds 63.0 h → 73.0 h."]


def test_the_one_person_team_is_never_shaded_best_nor_recommended() -> None:
    from orgsim.experiment.study import run_study
    from orgsim.report.verdicts import scorecard
    from orgsim.scenario.overrides import with_run_settings
    from tests.test_report import ROOT, load_scenario

    network, solo = (with_run_settings(load_scenario(ROOT / "scenarios" / f), horizon_days=21.0, warmup_days=3.0)
                     for f in ("network.yaml", "solo.yaml"))
    study = run_study([network, solo], replications=2, seed=1, workers=1)
    rows = {row.id: (row.cells, row.best) for row in scorecard(study).rows}
    # a far smaller salary bill, because it answers a fraction of its work: never "the best"
    cells, best = rows["cost_per_year"]
    assert cells[1][0] < cells[0][0] and best != 1
    assert all(best != 1 for _cells, best in rows.values())
    d = decide(study)
    # page one gives it one line; the appendix names every clear loss
    assert d.choice == 0 and d.others_worse == []
    assert d.unstable_worse[0].startswith("“one-person team” (unstable) is clearly worse")


def test_a_tie_names_both_designs_and_where_each_is_ahead() -> None:
    # both 5-6 h faster than the baseline (wait and its p90) and answering more messages within 24 h: +3 each, a tie;
    # between the two, "by audience" is a steady hour faster than "by function"
    from tests.test_report import _short

    def figs(x: float, reply: float) -> dict:
        f = _figures(x, 0.5, 0.8)
        f["reply_targets"] = {"24": {"all": reply, "off_hours": 0.5}}
        return f

    noise = (0.1, -0.1, 0.05, -0.05)
    base = [figs(x, 0.90 + e / 10) for (x, _), e in zip(BASE, noise, strict=True)]
    a = [figs(x - 5 + e, 0.95 + e / 10) for (x, _), e in zip(BASE, noise, strict=True)]
    b = [figs(x - 6 + e, 0.95 - e / 10) for (x, _), e in zip(BASE, noise, strict=True)]
    study = Study([_short("network.yaml"), _short("function.yaml"), _short("audience.yaml")], [base, a, b], seed=1,
                  replications=len(BASE))
    d = decide(study)
    assert d.scores[1] == d.scores[2] == (3, 0) and d.tied == [1, 2] and d.choice == 1
    assert d.lead == ("Move to “by function” or “by audience”: they tie on the rule (clear gains minus clear losses "
                      "against the baseline).")
    assert d.between == ("Between them, clearly ahead: “by audience” on average wait for an answer and wait that 1 "
                         "request in 10 exceeds.")
    assert d.margin.endswith("next, “by audience” +3 (3 better, 0 worse) — a tie.")
