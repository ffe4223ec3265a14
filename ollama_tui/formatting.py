"""Human-readable sizes, ages and reply statistics."""

from __future__ import annotations

from datetime import UTC, datetime

from ollama_tui.ollama.types import Stats

SIGNIFICANT_LOAD_NS = 500_000_000
"""A model load shorter than this is not worth mentioning under a reply."""


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(value) < 1000 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def relative_time(moment: datetime | None, now: datetime | None = None) -> str:
    if moment is None:
        return "unknown"
    now = now or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    seconds = (now - moment).total_seconds()
    if seconds < 0:
        return "just now"
    for limit, unit in ((60, "second"), (3600, "minute"), (86400, "hour"), (86400 * 30, "day")):
        if seconds < limit:
            divisor = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}[unit]
            count = int(seconds // divisor)
            if unit == "second" and count < 10:
                return "just now"
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    months = int(seconds // (86400 * 30))
    if months < 12:
        return f"{months} month{'s' if months != 1 else ''} ago"
    years = int(seconds // (86400 * 365))
    return f"{max(years, 1)} year{'s' if years > 1 else ''} ago"


def seconds(value_ns: int) -> str:
    return f"{value_ns / 1e9:.1f} s"


def stats_line(stats: Stats | None, first_token_s: float | None) -> str:
    """The line under a reply: tokens, speed, time to first token, prompt, load."""
    parts: list[str] = []
    if stats is not None and stats.eval_count is not None:
        parts.append(f"{stats.eval_count} tokens")
    if stats is not None and stats.tokens_per_second is not None:
        parts.append(f"{stats.tokens_per_second:.1f} tok/s")
    if first_token_s is not None:
        parts.append(f"first token {first_token_s:.2f} s")
    if stats is not None and stats.prompt_eval_count is not None:
        parts.append(f"prompt {stats.prompt_eval_count} tokens")
    if stats is not None and (stats.load_duration or 0) >= SIGNIFICANT_LOAD_NS:
        parts.append(f"load {seconds(stats.load_duration or 0)}")
    if stats is not None and stats.done_reason == "length":
        parts.append("cut off (num_predict or context)")
    return " · ".join(parts)
