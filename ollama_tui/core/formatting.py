"""Human-readable sizes, ages and reply statistics."""

from __future__ import annotations

from datetime import UTC, datetime

from ollama_tui.core.ollama.types import ModelInfo, Stats

SIGNIFICANT_LOAD_NS = 500_000_000
"""A model load shorter than this is not worth mentioning under a reply."""


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(value) < 1000 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def _seconds_since(moment: datetime, now: datetime | None) -> float:
    """Seconds from ``moment`` to now; a time without a zone is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return ((now or datetime.now(UTC)) - moment).total_seconds()


def relative_time(moment: datetime | None, now: datetime | None = None) -> str:
    if moment is None:
        return "unknown"
    seconds = _seconds_since(moment, now)
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
        parts.append(f"{stats.eval_count:,} tokens")
    if stats is not None and stats.tokens_per_second is not None:
        parts.append(f"{stats.tokens_per_second:.1f} tok/s")
    if first_token_s is not None:
        parts.append(f"first token {first_token_s:.2f} s")
    if stats is not None and stats.prompt_eval_count is not None:
        parts.append(f"prompt {stats.prompt_eval_count:,} tokens")
    if stats is not None and (stats.load_duration or 0) >= SIGNIFICANT_LOAD_NS:
        parts.append(f"load {seconds(stats.load_duration or 0)}")
    if stats is not None and stats.done_reason == "length":
        parts.append("cut off (num_predict or context)")
    return " · ".join(parts)


def duration(total_seconds: float) -> str:
    """A short duration for ETAs and elapsed times: 45 s, 3 m 05 s, 2 h 10 m."""
    whole = max(0, int(total_seconds))
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} m {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} m"


def processor_split(size: int, size_vram: int) -> str:
    """Where a loaded model sits, as `ollama ps` shows it."""
    if size <= 0:
        return "unknown"
    gpu = round(100 * size_vram / size)
    if gpu >= 100:
        return "100% GPU"
    if gpu <= 0:
        return "100% CPU"
    return f"{100 - gpu}%/{gpu}% CPU/GPU"


FOREVER_SECONDS = 365 * 86400
"""An expiry further away than this means keep_alive -1."""


def expires_in(moment: datetime | None, now: datetime | None = None) -> str:
    if moment is None:
        return "unknown"
    left = -_seconds_since(moment, now)
    if left > FOREVER_SECONDS:
        return "never (kept loaded)"
    if left <= 0:
        return "now"
    return f"in {duration(left)}"


def model_details(info: ModelInfo) -> str:
    """Everything ``/api/show`` said about a model, as plain text for the info view."""
    details = info.details
    facts = [
        ("name", info.name),
        ("family", details.family),
        ("parameters", details.parameter_size),
        ("quantization", details.quantization_level),
        ("format", details.format),
        ("architecture", info.architecture),
        ("context length", f"{info.context_length:,}" if info.context_length else ""),
        ("embedding length", f"{info.embedding_length:,}" if info.embedding_length else ""),
        ("capabilities", ", ".join(sorted(info.capabilities))),
        ("modified", relative_time(info.modified_at) if info.modified_at else ""),
    ]
    lines = [f"{label:<17}{value}" for label, value in facts if value]
    if info.parameters:
        lines += ["", "Parameters"]
        lines += [f"  {key:<15}{value!r}" for key, value in info.parameters.items()]
    for title, text in (
        ("System prompt", info.system),
        ("Template", info.template),
        ("License", info.license),
        ("Modelfile", info.modelfile),
    ):
        if text.strip():
            lines += ["", title, text.rstrip()]
    return "\n".join(lines)
