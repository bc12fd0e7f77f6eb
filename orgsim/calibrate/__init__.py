"""Calibrate a scenario from a company's exported logs, back-test it, and write demo logs.

The layer sits beside the scenario (it writes scenario YAML) and above the
simulation (the back-test and the demo data run it)::

    cal, logs = calibrate(["messages.csv", "requests.csv"], "team.yaml", "company.yaml")
    result = backtest(load_scenario("company.yaml"), logs)      # result.table: observed vs simulated
    demo = demo_logs(load_scenario("scenarios/network.yaml"), days=28)
"""

from orgsim.calibrate.api import calibrate
from orgsim.calibrate.backtest import backtest
from orgsim.calibrate.columns import PRESETS, load_mapping
from orgsim.calibrate.demo import demo_logs, write_demo
from orgsim.calibrate.logs import read_logs

__all__ = ["PRESETS", "backtest", "calibrate", "demo_logs", "load_mapping", "read_logs", "write_demo"]
