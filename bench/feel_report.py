"""The results: per scenario, each figure as "median (min-max)" for every app."""

from __future__ import annotations

import json
import math
import statistics
from pathlib import Path
from typing import Any

Runs = list[dict[str, float]]
Results = dict[str, dict[str, Runs]]
"""scenario -> app -> one dict of figures per run that went through."""

HIDDEN = {"end seen"}
"""Figures kept in the JSON only: they show a run went through, not how it felt."""


def summary(values: list[float]) -> str:
    values = [v for v in values if not math.isnan(v)]
    if not values:
        return "-"
    middle = statistics.median(values)
    if len(values) == 1:
        return number(middle)
    return f"{number(middle)} ({number(min(values))}-{number(max(values))})"


def number(value: float) -> str:
    if value == 0 or abs(value) >= 100 or float(value).is_integer():
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def figure_names(by_app: dict[str, Runs]) -> list[str]:
    names: list[str] = []
    for runs in by_app.values():
        for run in runs:
            names += [name for name in run if name not in names and name not in HIDDEN]
    return names


def table(
    title: str, by_app: dict[str, Runs], extra: dict[str, dict[str, str]], failures: list[str]
) -> str:
    """One scenario's table; ``extra`` adds rows (figure -> app -> text)."""
    apps = list(by_app)
    rows = [["figure", *apps]]
    for name in figure_names(by_app):
        rows.append([name, *(summary([r[name] for r in by_app[a] if name in r]) for a in apps)])
    for name, cells in extra.items():
        rows.append([name, *(cells.get(a, "-") for a in apps)])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [f"## {title}", ""]
    for n, row in enumerate(rows):
        values = (c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True))
        lines.append("| " + " | ".join([row[0].ljust(widths[0]), *values]) + " |")
        if n == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines + [f"failed: {line}" for line in failures])


def ratio_rows(results: Results, scenario: str, base: str, figure: str) -> dict[str, str]:
    """``figure``'s median in ``scenario`` over its median in ``base``, per app."""
    cells: dict[str, str] = {}
    for app, runs in results.get(scenario, {}).items():
        mine = [r[figure] for r in runs if figure in r]
        theirs = [r[figure] for r in results.get(base, {}).get(app, []) if figure in r]
        if mine and theirs and statistics.median(theirs):
            cells[app] = number(statistics.median(mine) / statistics.median(theirs))
    return cells


def write_json(
    path: Path, meta: dict[str, Any], results: Results, failures: dict[str, list[str]]
) -> None:
    data = {"meta": meta, "results": results, "failures": failures}
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
