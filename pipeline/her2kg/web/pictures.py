"""Pictures of the graph as SVG, drawn with matplotlib: a forest plot of hazard ratios and a
neighbourhood diagram (targets ← drug → resistance mechanisms → strategies, with polarity).

Two steps each: `*_data(run, iri)` reads what to draw from the store through `run` (a query with
?this bound to `iri` → rows of terms), and `forest_svg` / `neighbourhood_svg` draw it. Drawing is
pure: the same data gives the same bytes (a fixed hash salt for SVG ids, no date in the metadata,
DejaVu Sans — which matplotlib ships — and text written as text, so the SVG is searchable). Text
from the data is never read as mathtext, and matplotlib escapes it in the SVG.

    svg = forest_svg(forest_data(run, "https://w3id.org/her2kg/trial/emilia"), "EMILIA")
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import matplotlib
from matplotlib.figure import Figure  # a Figure without pyplot: no display, no global figure list
from matplotlib.lines import Line2D

from ..namespaces import BASE

Run = Callable[[str, str], list[dict[str, Any]]]  # (query text with ?this, IRI) → rows {variable: term}

# rcParams are global: every drawing holds this lock while it applies its own (the server draws in threads).
_DRAWING = threading.Lock()
STYLE: dict[Any, Any] = {
    "svg.hashsalt": "her2kg",  # ids in the SVG from this salt, not from a random one: the same bytes every time
    "svg.fonttype": "none",  # text stays text (searchable, selectable); the reader's DejaVu Sans or a sans-serif
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "text.parse_math": False,  # a label with $…$ is text, not a formula
    "axes.unicode_minus": False,
}
METADATA = {"Date": None, "Creator": "her2kg"}
# The pictures of a page, /<kind>/<slug>/<name>.svg, and the kinds of record that have each.
PICTURES = {"forest": ("trial", "drug", "mechanism"), "neighbourhood": ("drug", "mechanism")}

# --- the forest plot -----------------------------------------------------------------------------

# Which trials a page's forest plot shows: the trial itself, the trials that tested a drug, the
# trials of the strategies proposed against a mechanism (or shown to overcome it).
TRIALS = {
    "trial": "?trial a hk:Study . FILTER(?trial = ?this)",  # (a bound ?this is not seen inside BIND)
    "drug": "?trial hk:testsDrug ?this .",
    "mechanism": "?strategy hk:overcomes|hk:proposedAgainst ?this ; hk:testedIn ?trial .",
}
FOREST = """SELECT ?this ?outcome ?trial ?trialLabel ?endpoint ?hr ?low ?high
       (GROUP_CONCAT(DISTINCT ?subgroup; SEPARATOR=", ") AS ?subgroups)
       (GROUP_CONCAT(DISTINCT ?arm; SEPARATOR="|") AS ?arms) WHERE {
  %s
  ?outcome hk:ofStudy ?trial ; hk:hazardRatio ?hr .
  OPTIONAL { ?trial rdfs:label ?trialLabel }
  OPTIONAL { ?outcome hk:endpoint/rdfs:label ?endpoint }
  OPTIONAL { ?outcome hk:inSubgroup/rdfs:label ?subgroup }
  OPTIONAL { ?outcome hk:ciLower ?low } OPTIONAL { ?outcome hk:ciUpper ?high }
  OPTIONAL { ?outcome hk:hasArmResult/hk:forArm/rdfs:label ?arm }
} GROUP BY ?this ?outcome ?trial ?trialLabel ?endpoint ?hr ?low ?high"""


@dataclass(frozen=True, order=True)
class HazardRatio:
    """One row of a forest plot: an outcome's hazard ratio with its confidence interval (a bound the
    source does not print is None)."""

    trial: str
    endpoint: str
    subgroup: str
    arms: str  # the arms compared, as the graph names them
    hr: float
    low: float | None
    high: float | None
    outcome: str = ""  # its IRI

    @property
    def label(self) -> str:
        return " · ".join(part for part in (self.trial, self.endpoint, self.subgroup) if part)

    @property
    def figures(self) -> str:
        low = "?" if self.low is None else f"{self.low:g}"
        high = "?" if self.high is None else f"{self.high:g}"
        return f"{self.hr:g} ({low}–{high})" if (self.low, self.high) != (None, None) else f"{self.hr:g}"


def _text(term: Any) -> str:
    return "" if term is None else str(term.value)


def _number(term: Any) -> float | None:
    try:
        return None if term is None else float(term.value)
    except ValueError:
        return None


def forest_data(run: Run, iri: str) -> list[HazardRatio]:
    """The hazard ratios a page of `iri` (a trial, a drug or a mechanism) plots, sorted by trial,
    endpoint and subgroup; [] for any other kind of record."""
    kind = iri[len(BASE) :].split("/", maxsplit=1)[0] if iri.startswith(BASE) else ""
    if kind not in TRIALS:
        return []
    found = []
    for row in run(FOREST % TRIALS[kind], iri):
        hr = _number(row["hr"])
        if hr is None or hr <= 0:  # nothing to place on a log axis
            continue
        found.append(
            HazardRatio(
                trial=_text(row["trialLabel"]) or _text(row["trial"]).rpartition("/")[2],
                endpoint=_text(row["endpoint"]),
                subgroup=_text(row["subgroups"]),
                arms=", ".join(sorted(a for a in _text(row["arms"]).split("|") if a)),
                hr=hr,
                low=_number(row["low"]),
                high=_number(row["high"]),
                outcome=_text(row["outcome"]),
            )
        )
    return sorted(set(found))


def forest_svg(ratios: list[HazardRatio], title: str) -> str | None:
    """A forest plot of `ratios`: one row each (label on the left, HR and CI on the right), a log
    axis of the hazard ratio and the dashed line of no effect at 1; None when there is nothing to draw."""
    if not ratios:
        return None
    values = [v for r in ratios for v in (r.hr, r.low, r.high) if v is not None and v > 0]
    low, high = min([*values, 1.0]), max([*values, 1.0])
    rows = list(reversed(ratios))  # the first row at the top
    one_trial = len({r.trial for r in rows}) == 1  # then the title names it, not every row
    labels = [
        _wrap(r.label.removeprefix(r.trial + " · ") if one_trial else r.label, 56)
        + (f"\n{_wrap('arms: ' + r.arms, 60)}" if r.arms else "")
        for r in rows
    ]
    # Each row as tall as its label: y is the middle of the row, in lines of text.
    heights = [label.count("\n") + 1.6 for label in labels]
    ys = [sum(heights[:i]) + heights[i] / 2 for i in range(len(rows))]
    with _DRAWING, matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(10, 1.2 + 0.16 * sum(heights)), layout="constrained")
        axes = figure.add_subplot()
        for index, (y, ratio) in enumerate(zip(ys, rows, strict=True)):
            left = ratio.hr - ratio.low if ratio.low is not None else 0.0
            right = ratio.high - ratio.hr if ratio.high is not None else 0.0
            bars = axes.errorbar(
                ratio.hr, y, xerr=[[left], [right]], fmt="s", color="#8a1c4a", markersize=6, capsize=3, linewidth=1.5
            )
            bars.lines[0].set_gid(f"hazard-ratio-{len(rows) - index}")  # row n from the top: its id in the SVG
        axes.axvline(1.0, color="#1d2330", linestyle="--", linewidth=1, gid="no-effect")
        axes.set_xscale("log")
        axes.set_xlim(low / 1.25, high * 1.25)
        axes.set_ylim(0, sum(heights))
        axes.set_yticks(ys, labels, fontsize=8.5)
        right_axis = axes.secondary_yaxis("right")
        right_axis.set_yticks(ys, [r.figures for r in rows], fontsize=9)
        right_axis.set_ylabel("HR (95% CI)")
        ticks = [t for t in (0.1, 0.2, 0.3, 0.5, 0.7, 1, 1.5, 2, 3, 5) if low / 1.25 <= t <= high * 1.25]
        axes.set_xticks(ticks, [f"{t:g}" for t in ticks])
        axes.minorticks_off()
        axes.set_xlabel("hazard ratio (log scale) with 95% confidence interval; dashed line: no effect (HR 1)")
        axes.set_title(title, loc="left", fontsize=11, fontweight="bold")
        axes.grid(axis="x", color="#d9dde5", linewidth=0.6)
        axes.spines[["top", "right"]].set_visible(False)
        return _svg(figure)


def _wrap(text: str, width: int) -> str:
    """Break a long label into lines at spaces (matplotlib does not wrap tick labels)."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines)


def _clip(text: str, lines: int) -> str:
    """At most `lines` lines, the last ending in … when text was left out (the page lists them all)."""
    kept = text.split("\n")
    return "\n".join(kept[:lines]) + ("…" if len(kept) > lines else "")


def _svg(figure: Figure) -> str:
    out = io.StringIO()
    figure.savefig(out, format="svg", metadata=METADATA)
    return out.getvalue()


# --- the neighbourhood diagram -------------------------------------------------------------------

# Each layer: a query of (a, b) pairs — asserted in the graph or only stated by a claim (a negative
# claim asserts nothing, yet belongs in the picture) — from the layer before it.
DRUG_TARGETS = """SELECT ?this ?node ?label WHERE {
  { ?this hk:targets ?node } UNION { ?c hk:claimSubject ?this ; hk:claimRelation hk:targets ; hk:claimObject ?node }
  OPTIONAL { ?node rdfs:label ?label }
}"""
DRUG_MECHANISMS = """SELECT ?this ?node ?label WHERE {
  { ?node hk:confersResistanceTo ?this } UNION { ?this hk:inClass ?class . ?node hk:confersResistanceTo ?class }
  UNION { ?c hk:claimSubject ?node ; hk:claimRelation hk:confersResistanceTo ; hk:claimObject ?this }
  ?node a hk:ResistanceMechanism .
  OPTIONAL { ?node rdfs:label ?label }
}"""
MECHANISM_ACTORS = """SELECT ?this ?node ?label WHERE {
  ?this hk:involves ?node . OPTIONAL { ?node rdfs:label ?label }
}"""
STRATEGIES = """SELECT ?this ?node ?label WHERE {
  { ?node hk:overcomes|hk:proposedAgainst ?this }
  UNION { ?c hk:claimSubject ?node ; hk:claimRelation hk:overcomes ; hk:claimObject ?this }
  ?node a hk:Strategy .
  OPTIONAL { ?node rdfs:label ?label }
}"""
# The polarity of every claim between two records, either way round.
POLARITIES = """SELECT ?this ?other ?polarity WHERE {
  { ?c hk:claimSubject ?this ; hk:claimObject ?other } UNION { ?c hk:claimSubject ?other ; hk:claimObject ?this }
  ?c hk:polarity ?polarity .
}"""
NEGATIVE = {"no-effect", "contradicts"}
EDGE_STYLE: dict[Any, Any] = {  # polarity → (colour, line style, legend): told apart by line style, not colour alone
    "supports": ("#2d7d46", "-", "supported by a claim"),
    "negative": ("#b3261e", "--", "negative claim (no effect, contradicts)"),
    "conflicting": ("#b36b00", ":", "conflicting claims"),
    "asserted": ("#8b93a3", "-", "in the graph, no claim"),
}
CENTRES = ("drug", "mechanism")  # the column of the record itself
MAX_PER_COLUMN = 14  # beyond this a column says how many more there are


@dataclass
class Neighbourhood:
    """Columns of nodes (title, [(iri, label)]) and edges between nodes of neighbouring columns,
    each with its polarity (a key of EDGE_STYLE)."""

    title: str
    columns: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    edges: list[tuple[str, str, str]] = field(default_factory=list)
    more: dict[int, int] = field(default_factory=dict)  # column → nodes left out

    @property
    def empty(self) -> bool:
        return not self.edges


def _nodes(run: Run, query: str, iri: str) -> list[tuple[str, str]]:
    found = {_text(r["node"]): _text(r["label"]) or _text(r["node"]).rpartition("/")[2] for r in run(query, iri)}
    return sorted(found.items(), key=lambda item: (item[1].casefold(), item[0]))


def polarity(run: Run, a: str, b: str) -> str:
    """How the claims between `a` and `b` stand: supports, negative, conflicting, or asserted (none)."""
    found = {_text(r["polarity"]).rpartition("/")[2] for r in run(POLARITIES, a) if _text(r["other"]) == b}
    negative, positive = bool(found & NEGATIVE), "supports" in found
    if negative and positive:
        return "conflicting"
    return "negative" if negative else "supports" if positive else "asserted"


def neighbourhood_data(run: Run, iri: str, label: str) -> Neighbourhood:
    """The neighbourhood of a drug (targets ← drug → resistance mechanisms → strategies against
    them) or of a mechanism (what it involves → mechanism → strategies against it)."""
    kind = iri[len(BASE) :].split("/", maxsplit=1)[0] if iri.startswith(BASE) else ""
    picture = Neighbourhood(label)
    centre = [(iri, label)]
    if kind == "drug":
        targets, mechanisms = _nodes(run, DRUG_TARGETS, iri), _nodes(run, DRUG_MECHANISMS, iri)
        strategies: dict[str, str] = {}
        pairs = [(iri, t) for t, _ in targets] + [(iri, m) for m, _ in mechanisms]
        for mechanism, _ in mechanisms[:MAX_PER_COLUMN]:
            for strategy, name in _nodes(run, STRATEGIES, mechanism):
                strategies[strategy] = name
                pairs.append((mechanism, strategy))
        columns = [
            ("targets", targets),
            ("drug", centre),
            ("resistance mechanisms", mechanisms),
            ("strategies against them", sorted(strategies.items(), key=lambda kv: kv[1].casefold())),
        ]
    elif kind == "mechanism":
        actors, strategies_ = _nodes(run, MECHANISM_ACTORS, iri), _nodes(run, STRATEGIES, iri)
        pairs = [(a, iri) for a, _ in actors] + [(iri, n) for n, _ in strategies_]
        columns = [("involves", actors), ("mechanism", centre), ("strategies against it", strategies_)]
    else:
        return picture
    columns = _untangled(columns, pairs)
    for index, (title, nodes) in enumerate(columns):
        if len(nodes) > MAX_PER_COLUMN:
            picture.more[index] = len(nodes) - MAX_PER_COLUMN
        picture.columns.append((title, nodes[:MAX_PER_COLUMN]))
    shown = {n for _, nodes in picture.columns for n, _ in nodes}
    picture.edges = [(a, b, polarity(run, a, b)) for a, b in dict.fromkeys(pairs) if a in shown and b in shown]
    picture.columns = [(title, nodes) for title, nodes in picture.columns if nodes]
    return picture


def _untangled(
    columns: list[tuple[str, list[tuple[str, str]]]], pairs: list[tuple[str, str]]
) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each column after the first ordered by the mean place of its neighbours in the column before
    (the barycentre heuristic), so that fewer lines cross; ties keep the alphabetical order."""
    neighbours: dict[str, set[str]] = {}
    for a, b in pairs:
        neighbours.setdefault(a, set()).add(b)
        neighbours.setdefault(b, set()).add(a)
    ordered = [columns[0]]
    for title, nodes in columns[1:]:
        before = {node: index for index, (node, _) in enumerate(ordered[-1][1])}

        def place(item: tuple[int, tuple[str, str]], before: dict[str, int] = before) -> tuple[float, int]:
            near = [before[n] for n in neighbours.get(item[1][0], ()) if n in before]
            return (sum(near) / len(near) if near else math.inf, item[0])

        ordered.append((title, [node for _, node in sorted(enumerate(nodes), key=place)]))
    return ordered


def neighbourhood_svg(picture: Neighbourhood) -> str | None:
    """The neighbourhood as columns of labelled boxes joined by lines styled by polarity, with a
    legend; None when the record has no neighbours to draw."""
    if picture.empty:
        return None
    columns = picture.columns
    tallest = max(len(nodes) for _, nodes in columns)
    position: dict[str, tuple[float, float]] = {}
    for x, (_, nodes) in enumerate(columns):
        offset = (tallest - len(nodes)) / 2  # each column centred on the tallest
        for y, (node, _) in enumerate(nodes):
            position.setdefault(node, (float(x), tallest - 1 - (offset + y)))
    with _DRAWING, matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(2.5 * len(columns) + 0.8, 1.6 + 0.62 * tallest), layout="constrained")
        axes = figure.add_subplot()
        for a, b, kind in picture.edges:
            colour, style, _ = EDGE_STYLE[kind]
            (xa, ya), (xb, yb) = position[a], position[b]
            axes.plot([xa, xb], [ya, yb], color=colour, linestyle=style, linewidth=1.6, zorder=1, gid=f"edge-{kind}")
        for x, (title, nodes) in enumerate(columns):
            axes.text(x, tallest - 0.35, title, ha="center", va="bottom", fontweight="bold", color="#5b6475")
            for node, label in nodes:
                axes.text(
                    *position[node],
                    _clip(_wrap(label, 26), 3),
                    ha="center",
                    va="center",
                    fontsize=8,
                    zorder=2,
                    bbox={
                        "boxstyle": "round,pad=0.3",
                        "facecolor": "#f5e8ee" if title in CENTRES else "#f5f6f8",
                        "edgecolor": "#8a1c4a" if title in CENTRES else "#aab1bf",
                    },
                )
        for x, more in picture.more.items():
            if x < len(columns):
                axes.text(x, -0.7, f"… and {more} more", ha="center", va="top", fontsize=8, color="#5b6475")
        used = [kind for kind in EDGE_STYLE if any(e[2] == kind for e in picture.edges)]
        axes.legend(
            handles=[
                Line2D(
                    [], [], color=EDGE_STYLE[k][0], linestyle=EDGE_STYLE[k][1], linewidth=1.6, label=EDGE_STYLE[k][2]
                )
                for k in used
            ],
            loc="upper center",  # type: ignore[arg-type]
            bbox_to_anchor=(0.5, -0.02),
            ncols=min(len(used), 4),
            frameon=False,
            fontsize=8,
        )
        axes.set_xlim(-0.62, len(columns) - 0.38)
        axes.set_ylim(-1.1, tallest + 0.1)
        axes.set_axis_off()
        return _svg(figure)


def has_picture(run: Run, iri: str, name: str) -> bool:
    """Whether the record `iri` has data for the picture `name` (no drawing)."""
    if name == "forest":
        return bool(forest_data(run, iri))
    return name == "neighbourhood" and not neighbourhood_data(run, iri, "").empty


def picture_svg(run: Run, iri: str, name: str, label: str) -> str | None:
    """The picture `name` (forest, neighbourhood) of the record `iri`, or None when it has none."""
    if name == "forest":
        return forest_svg(forest_data(run, iri), f"Hazard ratios — {label}")
    if name == "neighbourhood":
        return neighbourhood_svg(neighbourhood_data(run, iri, label))
    return None


__all__ = [
    "PICTURES",
    "HazardRatio",
    "Neighbourhood",
    "forest_data",
    "forest_svg",
    "has_picture",
    "neighbourhood_data",
    "neighbourhood_svg",
    "picture_svg",
    "polarity",
]
