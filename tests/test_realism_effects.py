"""``python -m docs.realism_effects`` sets each mechanism it names, and nothing else, on every example design."""

from __future__ import annotations

from docs.realism_effects import ABSENCE, DEPUTY, DESIGNS, LEAD, PATIENCE, build


def test_each_variant_sets_its_mechanism_on_every_design_and_leaves_the_rest_alone() -> None:
    variants, scenarios = build()
    by = {(v.label, d): scenarios[i * len(DESIGNS) + j] for i, v in enumerate(variants) for j, d in enumerate(DESIGNS)}
    for d in DESIGNS:
        shipped = by[("shipped", d)]
        assert shipped.structure.deputy is None and not shipped.team.people[LEAD].absences
        assert shipped.policies.dispatch == "first_come"
        assert all(m.patience_hours is None for m in shipped.demand.messages.values())

        deputy = by[("deputy (lead present)", d)]
        assert deputy.structure.deputy == DEPUTY and not deputy.team.people[LEAD].absences
        assert deputy.structure.kind == shipped.structure.kind and deputy.structure.pods == shipped.structure.pods

        away = by[("lead away + deputy", d)]
        (absence,) = away.team.people[LEAD].absences
        assert (absence.start_day, absence.days) == (ABSENCE["start_day"], ABSENCE["days"])
        assert away.structure.deputy == DEPUTY and by[("lead away 2 weeks", d)].structure.deputy is None

        patient = by[("patience 24 h", d)]
        assert {c: m.patience_hours.mean for c, m in patient.demand.messages.items()  # type: ignore[union-attr]
                } == {c: PATIENCE["mean"] for c in shipped.demand.messages}
        assert patient.policies == shipped.policies and patient.team == shipped.team

        assert by[("dispatch best_skill", d)].policies.dispatch == "best_skill"
        assert by[("switch 5 min", d)].policies.switch_minutes.channel == 5
        assert by[("switch 5 min", d)].demand == shipped.demand
