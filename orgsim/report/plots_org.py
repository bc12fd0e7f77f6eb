"""Each organisation drawn as a network: people by pod, departments around, bottlenecks ringed.

Kept beside :mod:`orgsim.report.plots` (and re-exported there).
"""

from __future__ import annotations

import math
import textwrap
from typing import Any

import matplotlib.pyplot as plt
import networkx as nx
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from orgsim.arguments import a_scenario, checks, whole
from orgsim.org.graph import build_org
from orgsim.org.measures import bottlenecks
from orgsim.report.layout import fit_layout, legend_height
from orgsim.report.style import WIDTH, colours, short_names, styled
from orgsim.scenario.model import Scenario

__all__ = ["org_network"]


_TIE_STYLE: dict[str, tuple[str, Any, float]] = {
    "member": ("#cccccc", "-", 0.8),
    "cross_pod": ("#888888", ":", 1.0),
    "via_lead": ("#444444", "-", 1.2),
    "department_intake": ("#aaaaaa", "--", 0.8),
    "liaison": ("#009E73", "-", 1.8),
    "embedded": ("#CC79A7", "-", 2.2),
    "reporting": ("#56B4E9", "--", 1.0),
}


def _ring(nodes: list[str], radius: float, offset: float = 0.0) -> dict[str, tuple[float, float]]:
    n = max(len(nodes), 1)
    return {v: (radius * math.cos(2 * math.pi * k / n + math.pi / 2 + offset),
                radius * math.sin(2 * math.pi * k / n + math.pi / 2 + offset)) for k, v in enumerate(nodes)}


def _layout(G: nx.Graph) -> dict[str, tuple[float, float]]:
    """Lead in the middle, people evenly round a ring grouped by pod, each pod just inside its people, departments out.

    People are spaced evenly over the whole ring (not fanned within a pod's sector), so their names stay a
    constant arc apart and cannot run into each other, however the pods are sized.
    """
    kinds = nx.get_node_attributes(G, "kind")
    pods = [n for n, k in kinds.items() if k == "pod"]
    pos: dict[str, tuple[float, float]] = {}
    members: dict[str, list[str]] = {p: [] for p in pods}
    loose = []
    for n, k in kinds.items():
        if k != "person":
            continue
        if G.nodes[n].get("lead"):
            pos[n] = (0.0, 0.0)
        elif f"pod:{G.nodes[n].get('group')}" in members:
            members[f"pod:{G.nodes[n]['group']}"].append(n)
        else:
            loose.append(n)
    ring = [n for p in pods for n in members[p]] + loose
    pos.update(_ring(ring, 1.85))
    # pods evenly round an inner ring (so their names keep apart too), in their people's order, the first
    # turned to face its people
    first = next((p for p in pods if members[p]), None)
    turn = 0.0
    if first is not None:
        angles = [math.atan2(pos[n][1], pos[n][0]) for n in members[first]]
        turn = math.atan2(sum(map(math.sin, angles)), sum(map(math.cos, angles))) - math.pi / 2 \
            - 2 * math.pi * pods.index(first) / len(pods)
    pos.update(_ring(pods, 0.95 if len(pods) > 1 else 0.0, turn))
    lead = next((n for n in pos if G.nodes[n].get("lead")), None)
    if len(pods) == 1 and lead is not None:  # a one-pod team without a lead has nobody to place below its pod
        pos[lead] = (0.0, -0.5)
    pos.update(_ring([n for n, k in kinds.items() if k in ("department", "approver")], 2.9, 0.15))
    return pos


@styled
@checks(scenario=a_scenario, top=whole(1))
def org_network(scenario: Scenario, top: int = 3) -> Figure:
    """The organisation as a network: people coloured by pod, departments around, ties styled by kind.

    Node size grows with betweenness (how many fastest routes pass through);
    the ``top`` brokers are ringed in red and named as bottlenecks. Pod
    membership is drawn as a tie from person to pod (rather than every
    same-pod pair) so a person in several pods stays readable.
    """
    G = build_org(scenario)
    H = nx.Graph()
    H.add_nodes_from((n, d) for n, d in G.nodes(data=True) if d.get("kind") != "platform")
    for u, v, d in G.edges(data=True):
        if u in H and v in H and d["kind"] not in ("covers", "same_pod"):
            H.add_edge(u, v, kind=d["kind"])
    between = bottlenecks(G)
    brokers = [n for n, b in list(between.items())[:top] if b > 0]
    pos = _layout(H)
    fig, ax = plt.subplots(figsize=(WIDTH, 7.4))
    for kind, (colour, style, width) in _TIE_STYLE.items():
        edges = [(u, v) for u, v, d in H.edges(data=True) if d["kind"] == kind]
        if edges:
            nx.draw_networkx_edges(H, pos, edgelist=edges, edge_color=colour, style=style, width=width, ax=ax,
                                   arrows=False, alpha=0.6 if kind == "department_intake" else 1.0)
    others = [(u, v) for u, v, d in H.edges(data=True) if d["kind"] not in _TIE_STYLE]
    if others:
        nx.draw_networkx_edges(H, pos, edgelist=others, edge_color="#777777", width=1.0, ax=ax, arrows=False)
    groups = list(dict.fromkeys(d.get("group", "") for n, d in H.nodes(data=True) if d.get("kind") == "person"))
    gcol = {g: c for g, c in zip(groups, colours(groups).values(), strict=True)}
    for kind, shape in (("department", "s"), ("approver", "D"), ("pod", "h"), ("person", "o")):
        nodes = [n for n, d in H.nodes(data=True) if d.get("kind") == kind]
        if not nodes:
            continue
        sizes = [180 + 1800 * between.get(n, 0.0) for n in nodes]
        if kind == "person":
            fill = [gcol[H.nodes[n]["group"]] for n in nodes]
        elif kind == "pod":
            fill = ["#ffffff"] * len(nodes)
        else:
            fill = ["#eeeeee"] * len(nodes)
        nx.draw_networkx_nodes(H, pos, nodelist=nodes, node_shape=shape, node_size=sizes, node_color=fill,
                               edgecolors=["#D55E00" if n in brokers else "#555555" for n in nodes],
                               linewidths=[3 if n in brokers else 1 for n in nodes], ax=ax)
    labels = {n: n.split(":", 1)[1] for n in H.nodes}
    # a long pod or department name goes on lines of its own words, so it stays inside its part of the ring;
    # a word is never cut ("everything" over "everythin" and "g" reads as two words)
    drawn = {n: textwrap.fill(t.replace("_", " "), 9, break_long_words=False) if len(t) > 9 else t
             for n, t in labels.items()}
    nx.draw_networkx_labels(H, pos, labels=drawn, font_size=10, ax=ax)
    handles = [Line2D([], [], color=c, linestyle=s, linewidth=max(w, 1.2), label=k.replace("_", " "))
               for k, (c, s, w) in _TIE_STYLE.items() if any(d["kind"] == k for _, _, d in H.edges(data=True))]
    handles += [Line2D([], [], marker="o", linestyle="", markersize=9, markerfacecolor=gcol[g], markeredgecolor="#555555",
                       label=g if g != "lead" else "head of social") for g in groups]
    handles.append(Line2D([], [], marker="o", linestyle="", markersize=11, markerfacecolor="white",
                          markeredgecolor="#D55E00", markeredgewidth=3, label="bottleneck (most routes pass here)"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), fontsize=10, ncols=2)
    ax.set_axis_off()
    named = ", ".join(labels[n] for n in brokers)
    ax.set_title(textwrap.fill(f"{short_names([scenario.name])[0]}: bottlenecks {named or 'none'}", 48), fontsize=12)
    fit_layout(fig, {"bottom": legend_height(math.ceil(len(handles) / 2), 10)})  # the legend hangs below the axes
    return fig
