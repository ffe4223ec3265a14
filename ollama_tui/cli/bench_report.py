"""``bench``'s results and how they are printed: a table (or Markdown) of the figures,
median (min-max), then one of what each model is and where it ran; CSV with a number
per cell (median, min and max columns) for spreadsheets; JSON with everything."""

from __future__ import annotations

import csv
import io
import json
import statistics
from dataclasses import dataclass, field
from typing import Any

from ollama_tui.cli.common import table
from ollama_tui.core.formatting import human_size, processor_split

FIGURES = ("load_ms", "ttft_ms", "prefill_tps", "generation_tps", "total_ms")
FACTS = ("family", "parameters", "quantization", "size", "processor", "context_length")
CSV_DETAILS = [
    "family", "parameters", "quantization", "size", "size_vram", "context_length",
    "server_version",
]  # fmt: skip
"""The details in CSV, as numbers where they are (size and size_vram in bytes)."""


@dataclass
class Result:
    model: str
    runs: list[dict[str, float | None]] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    """The model's facts (``show``) and where it ran (``ps``), and the server version."""

    def spread(self, name: str) -> tuple[float, float, float] | None:
        known = [value for run in self.runs if (value := run[name]) is not None]
        if not known:
            return None
        return statistics.median(known), min(known), max(known)


def report(results: list[Result], style: str) -> str:
    if style == "json":
        return json.dumps([as_json(result) for result in results]) + "\n"
    if style == "csv":
        return as_csv(results)
    figures = [["model", "runs", *FIGURES]]
    figures += [[r.model, str(len(r.runs)), *(spread_cell(r, n) for n in FIGURES)] for r in results]
    facts = [["model", *FACTS, "server_version"]]
    facts += [[r.model, *(fact_cell(r, n) for n in FACTS), version(r)] for r in results]
    if style == "md":
        return markdown(figures) + "\n" + markdown(facts)
    return table(upper(figures)) + "\n" + table(upper(facts))


def as_json(result: Result) -> dict[str, Any]:
    row: dict[str, Any] = {"model": result.model, "runs": len(result.runs)}
    for name in FIGURES:
        spread = result.spread(name)
        row[name] = None if spread is None else [round(value, 2) for value in spread]
    row.update(result.details)
    return row


def as_csv(results: list[Result]) -> str:
    headers = ["model", "runs"]
    headers += [f"{name}_{part}" for name in FIGURES for part in ("median", "min", "max")]
    headers += CSV_DETAILS
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for result in results:
        cells: list[Any] = [result.model, len(result.runs)]
        for name in FIGURES:
            spread = result.spread(name)
            cells += ["", "", ""] if spread is None else [round(v, 2) for v in spread]
        cells += [result.details.get(name) for name in CSV_DETAILS]
        writer.writerow(["" if cell is None else cell for cell in cells])
    return buffer.getvalue()


def spread_cell(result: Result, name: str) -> str:
    spread = result.spread(name)
    if spread is None:
        return ""
    median, low, high = spread
    return f"{median:,.1f} ({low:,.1f}-{high:,.1f})"


def fact_cell(result: Result, name: str) -> str:
    details = result.details
    if name == "size":
        return human_size(details["size"]) if details.get("size") else ""
    if name == "processor":
        size, vram = details.get("size"), details.get("size_vram")
        return processor_split(size, vram or 0) if size else ""
    if name == "context_length":
        return f"{details['context_length']:,}" if details.get("context_length") else ""
    value = details.get(name)
    return "" if value is None else str(value)


def version(result: Result) -> str:
    return str(result.details.get("server_version") or "")


def upper(rows: list[list[str]]) -> list[list[str]]:
    return [[name.upper() for name in rows[0]], *rows[1:]]


def markdown(rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return "\n".join(lines) + "\n"
