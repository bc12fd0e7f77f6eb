"""libyaml's fast reading of an ordinary scenario file gives exactly what the round-trip reader gives, or steps aside.

Equal means, after no normalisation but NaN == NaN: the same keys in the same
order, each value of the same Python type (``Replace``, ``dict``, ``list``,
``str``, ``int``, ``bool``, ``None``, ruamel's ``ScalarFloat``/``ScalarInt``
and kin with the same attributes, which the scenario model then validates),
and the same (file, line, column) for every key and list item.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from orgsim.errors import ScenarioError
from orgsim.scenario import loading, yamlfast
from orgsim.scenario.loading import load_data
from orgsim.scenario.paths import Positions
from orgsim.scenario.templates import STRUCTURES, starter

ROOT = Path(__file__).resolve().parent.parent
#: every scenario shipped, and any YAML kept with the tests
FILES = sorted([*ROOT.glob("scenarios/**/*.yaml"), *ROOT.glob("tests/**/*.yaml"), *ROOT.glob("tests/**/*.yml")])

pytestmark = pytest.mark.skipif(YAML(typ="safe", pure=False).Parser.__name__ != "CParser",
                                reason="libyaml (ruamel.yaml.clib) is not installed")


def _differences(slow: Any, fast: Any, where: str = "") -> list[str]:
    """Where two readings differ in a value, its type or its attributes (NaN equals NaN)."""
    if type(slow) is not type(fast):
        return [f"{where}: {type(slow).__name__} vs {type(fast).__name__}"]
    if isinstance(slow, dict):
        if list(slow) != list(fast):
            return [f"{where}: keys {list(slow)} vs {list(fast)}"]
        return [d for key in slow for d in _differences(slow[key], fast[key], f"{where}.{key}")]
    if isinstance(slow, list):
        if len(slow) != len(fast):
            return [f"{where}: {len(slow)} items vs {len(fast)}"]
        return [d for i, (a, b) in enumerate(zip(slow, fast, strict=True)) for d in _differences(a, b, f"{where}.{i}")]
    if isinstance(slow, float) and math.isnan(slow):
        return [] if math.isnan(fast) else [f"{where}: nan vs {fast!r}"]
    if slow != fast or getattr(slow, "__dict__", None) != getattr(fast, "__dict__", None):
        return [f"{where}: {slow!r} {getattr(slow, '__dict__', '')} vs {fast!r} {getattr(fast, '__dict__', '')}"]
    return []


def _misplaced(slow: Positions, fast: Positions) -> list[str]:
    return [f"{k}: {slow.get(k)} vs {fast.get(k)}" for k in {*slow, *fast} if slow.get(k) != fast.get(k)]


def _both(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Positions, Any, Positions]:
    """The round-trip reading (its data, or its error text) and the fast one (``None`` if it stepped aside)."""
    slow_at: Positions = {}
    with monkeypatch.context() as m:
        m.setattr(loading, "read_plain", lambda *args: None)
        try:
            slow: Any = loading._read_one(path, str(path), slow_at)
        except ScenarioError as exc:
            slow = f"error: {exc}"
    fast_at: Positions = {}
    fast = yamlfast.read_plain(path.read_bytes().decode("utf-8"), str(path), fast_at)
    return slow, slow_at, fast, fast_at


def _assert_same(path: Path, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Fast and slow readings agree, or the fast one stepped aside; whether it read the file."""
    slow, slow_at, fast, fast_at = _both(path, monkeypatch)
    if fast is None:
        assert fast_at == {}
        return False
    assert not isinstance(slow, str), f"the fast reader accepts what the round-trip reader refuses: {slow}"
    assert _differences(slow, fast) == []
    assert _misplaced(slow_at, fast_at) == []
    return True


def test_every_shipped_scenario_reads_the_same_and_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    assert len(FILES) >= 17
    for path in FILES:
        assert _assert_same(path, monkeypatch), f"{path} is ordinary, yet the fast reader stepped aside"


@pytest.mark.parametrize("structure", STRUCTURES)
def test_every_starter_file_reads_the_same_and_fast(structure: str, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(starter(structure, 5), encoding="utf-8")
    assert _assert_same(path, monkeypatch)


def test_windows_line_ends_read_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for source in FILES:
        path = tmp_path / source.name
        path.write_bytes(source.read_bytes().replace(b"\n", b"\r\n"))
        assert _assert_same(path, monkeypatch)


#: texts the fast reader reads itself; each must come out exactly as the round-trip reader has it
ORDINARY = {
    "yaml 1.2 words": "a: yes\nb: on\nc: No\nd: OFF\ne: y\nf: true\ng: False\nh: TRUE\n",
    "numbers": "a: 0o10\nb: 0x1F\nc: 0b101\nd: 1_000\ne: 010\nf: +5\ng: -0\nh: 1e3\ni: 1.5e-3\nj: 1E3\nk: .5\n"
               "l: 5.\nm: 1_000.5\nn: -.inf\no: .inf\np: .nan\nq: 12:30\nr: 0.1.2\ns: 0x_1\nt: 007\nu: 3.0\n",
    "nulls": "a: null\nb: ~\nc: Null\nd: NULL\ne:\nf: ''\ng: \"\"\nh: [~, null, ]\n",
    "quoted look-alikes": "a: '1'\nb: \"true\"\nc: 'null'\nd: \"2026-12-06\"\ne: 'it''s'\nf: \"\\u00e9\\t\\\"x\\\"\"\n",
    "block scalars": "a: |\n  one\n   two\n\n  three\nb: >\n  folded\n  line\n\n  para\nc: |-\n  kept\nd: >+\n  x\n\n"
                     "e: x\n",
    "plain spanning lines": "a: one\n  two\n   three\nb: c # comment\nd: e#f\n",
    "flow": "a: {b: 1, c: [1, 2, {d: e}], 'f': \"g\"}\nh: [x, y, ]\ni: {\"j\":1}\nk: []\nl: {}\n",
    "non-ascii columns": "é: {ü: 1, b: 2}\n\"😀\": {x: [1, 2], y: 3}\nz: ['ß', {w: 1}]\n",
    "lists of mappings": "a:\n- name: x\n  size: 3\n-   name: y\n    size: 4\n-\n- b\n-\n  - c\n  - d: 1\n",
    "explicit document": "---\na: 1\n...\n",
    "replace": "team: !replace\n  size: 3\n  pods: {a: 1}\nother: !replace {x: 1}\nl:\n- !replace\n  k: v\n",
    "explicit scalar key": "? a\n: 1\n? |\n  b\n: 2\n",
    "within the depth limit": "a: " + "{b: " * 45 + "1" + "}" * 45 + "\n",
    "sexagesimal and equals": "a: 1:20\nb: x=y\n",
}

#: texts the fast reader must leave to the round-trip reader (its data, or its error with its message)
UNUSUAL = {
    "duplicated key": "a: 1\na: 2\n",
    "duplicated after a flow key": "{a: 1, a: 2}\n",
    "a standard tag": "a: !!str 1\n",
    "a foreign tag": "a: !!python/name:os.system x\n",
    "an omap": "a: !!omap [b: 1]\n",
    "a set": "a: !!set {b, c}\n",
    "replace on a list": "a: !replace [1]\n",
    "replace on a scalar": "a: !replace x\n",
    "anchor and merge": "base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n",
    "an anchor alone": "a: &x 1\n",
    "an alias": "a: &x [1]\nb: *x\n",
    "a quoted merge-looking key": "'<<': 1\n",
    "a date": "a: 2026-12-06\n",
    "a timestamp": "a: 2026-12-06T10:00:00Z\n",
    "an impossible date": "a: 2026-02-30\n",
    "a value tag": "a: =\n",
    "an integer key": "1: a\n",
    "a null key": "~: a\n",
    "a bool key": "true: a\n",
    "a float key": "1.5: a\n",
    "a list key": "? [a]\n: 1\n",
    "a mapping key": "{a: 1}: 2\n",
    "bad indentation": "a: 1\n  b: 2\n",
    "bad indentation in a list": "a:\n  - 1\n - 2\n",
    "unclosed flow": "a: [1, 2\n",
    "a value where none may be": "a: b: c\n",
    "tab indentation": "a:\n\tb: 1\n",
    "a tab after a key": "a:\t1\n",
    "a tab in a value": "b: x\ty\n",
    "empty file": "",
    "only a comment": "# nothing\n",
    "only a document marker": "---\n",
    "a list at the top": "- a\n- b\n",
    "a scalar at the top": "hello\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "a directive": "%YAML 1.1\n---\na: yes\n",
    "a tag directive": "%TAG !e! tag:example.com,2000:\n---\na: 1\n",
    "a byte order mark": "\ufeffa: 1\nb: [1, 2]\n",
    "a next-line break": "a: x\x85b: 1\n",
    "a line separator": "a: x\u2028y\nb: 1\n",
    "nested past the limit": "a: " + "[" * 60 + "]" * 60 + "\n",
    "an unterminated quote": "a: 'x\n",
    "an unknown escape": 'a: "\\q"\n',
}


@pytest.mark.parametrize("name", sorted(ORDINARY))
def test_ordinary_tricky_texts_read_the_same_and_fast(name: str, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(ORDINARY[name], encoding="utf-8")
    assert _assert_same(path, monkeypatch), f"{name}: the fast reader stepped aside"


@pytest.mark.parametrize("name", sorted(UNUSUAL))
def test_unusual_texts_are_left_to_the_round_trip_reader(name: str, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(UNUSUAL[name], encoding="utf-8")
    slow, _, fast, _ = _both(path, monkeypatch)
    assert fast is None, f"{name}: read fast as {fast!r}"
    positions: Positions = {}
    try:  # and what the loader does with it is what the round-trip reader did, error text and all
        assert loading._read_one(path, str(path), positions) == slow
    except ScenarioError as exc:
        assert f"error: {exc}" == slow


def test_a_misplaced_position_or_a_changed_type_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    path = ROOT / "scenarios" / "base.yaml"
    slow, slow_at, fast, fast_at = _both(path, monkeypatch)
    key = next(k for k in fast_at if len(k) > 2)
    shifted = {**fast_at, key: (fast_at[key][0], fast_at[key][1], fast_at[key][2] + 1)}
    assert _misplaced(slow_at, shifted) == [f"{key}: {slow_at[key]} vs {shifted[key]}"]
    where = next(k for k in fast_at if isinstance(_at(fast, k), float))  # a ScalarFloat, as ruamel makes them
    plain = copy.deepcopy(fast)
    _at(plain, where[:-1])[where[-1]] = float(_at(fast, where))
    assert _differences(slow, plain) == [f".{'.'.join(map(str, where))}: ScalarFloat vs float"]


def _at(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def test_the_fast_reader_is_used_by_the_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the round-trip reader was used")

    monkeypatch.setattr(loading, "YAML", refuse)
    data, positions = load_data(ROOT / "scenarios" / "network.yaml")
    assert data["name"] == "by network" and positions[("name",)][1:] == (16, 1)


def test_without_libyaml_the_round_trip_reader_reads_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = load_data(ROOT / "scenarios" / "function.yaml")
    monkeypatch.setattr(yamlfast, "YAML", lambda typ, pure=False: YAML(typ=typ, pure=True))
    assert yamlfast.read_plain("a: 1\n", "s.yaml", {}) is None
    data, positions = load_data(ROOT / "scenarios" / "function.yaml")
    assert _differences(expected[0], data) == [] and positions == expected[1]
