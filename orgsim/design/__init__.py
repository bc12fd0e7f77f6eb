"""Designs generated from one team: pods from people's proficiencies and the work each pod will carry.

>>> from orgsim.scenario import load_scenario
>>> from orgsim.design import generate_design, design_scenario
>>> base = load_scenario("scenarios/base.yaml")
>>> design = generate_design(base, "network")
>>> design_scenario(base, design).structure.kind
'network'
"""

from orgsim.design.assign import Assignment, Slot, assign_people
from orgsim.design.generate import (
    DESIGN_KINDS,
    Design,
    DesignOptions,
    PodPlan,
    design_scenario,
    generate_design,
    with_people,
)

__all__ = ["DESIGN_KINDS", "Assignment", "Design", "DesignOptions", "PodPlan", "Slot", "assign_people",
           "design_scenario", "generate_design", "with_people"]
