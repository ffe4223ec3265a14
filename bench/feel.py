"""How the chat feels in a real terminal: the app runs in tmux against the emulator (a
separate process), a person's keys are sent to it, and its screen is read every
~10 ms. Versions of the app run interleaved and are shown side by side:

    python -m bench.feel --app old=/work/wt-old --app new=. --runs 3

What the figures measure:
- a frame (an update) is a look at the screen whose chat area (the rows between the
  status line and the composer, less the scroll bar's column) differs from the look
  before; updates closer together than a look (~10 ms) count as one;
- "while tokens arrive" is from the first token leaving the emulator to the last;
- CPU is the app process's own (utime + stime from /proc, all its threads, in 10 ms
  clock ticks); per 1k tokens it is counted from Enter until the app is idle again;
- replies are Markdown sections with numbered marker words (mk00001...), and the
  emulator logs when each chunk left: lag is from a marker leaving the emulator to it,
  or a later one, being on screen; the end is the reply's last marker on screen;
- key echo is from sending a key (tmux send-keys) to the composer showing it; the
  first accepted key is from launch to the composer showing a key sent as soon as the
  footer is drawn;
- every figure is "median (min-max)" over the runs (one figure per run: a run's p95 is
  the p95 of that run).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.feel_report import Results, ratio_rows, table, write_json
from bench.feel_run import BenchError
from bench.feel_scenarios import (
    Context,
    Figures,
    long_reply,
    reopen,
    startup,
    streamed,
    typing,
)
from bench.feel_screen import Tmux, TmuxError
from bench.feel_world import ROOT, App, Emulator, interpreter_ok, save_history, tmux_env
from ollama_tui.emulator.demo import DEMO_ANSWER, tokens

History = Callable[[Path, bool], tuple[Path, list[str]]]


def earlier_exchanges(folder: Path, tiny: bool) -> tuple[Path, list[str]]:
    """30 exchanges with replies of about 500 tokens of Markdown (no marker words)."""
    pattern = tokens(DEMO_ANSWER)
    size = 100 if tiny else 500
    reply = "".join(pattern[i % len(pattern)] for i in range(size))
    chat = save_history(folder / "history", 3 if tiny else 30, reply)
    return folder / "history", ["--resume", chat]


def long_conversation(folder: Path, tiny: bool) -> tuple[Path, list[str]]:
    """2,000 messages: 1,000 questions, each answered with the demo reply."""
    chat = save_history(folder / "history", 50 if tiny else 1000, DEMO_ANSWER)
    return folder / "history", ["--resume", chat]


@dataclass(frozen=True)
class Scenario:
    title: str
    run: Callable[[Context, App], Figures]
    tokens: tuple[int, int]
    """Tokens per reply: full size, ``--tiny``."""
    rate: float | None = None
    """Tokens per second; None: as fast as the emulator sends."""
    history: History | None = None
    hide: tuple[str, ...] = ()
    """Figures that mean nothing here."""


FAST_HIDES = (
    "updates/s while tokens arrive",
    "update gap median ms",
    "update gap p95 ms",
    "% of a core while tokens arrive",
)
"""The emulator sends 2,000 tokens in a few tens of milliseconds: too short a spell."""


SCENARIOS = {
    "rate200": Scenario("200 tok/s, 3,000 tokens, empty chat", streamed, (3000, 200), 200),
    "rate40": Scenario("40 tok/s, 800 tokens", streamed, (800, 60), 40),
    "fast": Scenario(
        "2,000 tokens as fast as the emulator sends", streamed, (2000, 200), hide=FAST_HIDES
    ),
    "history": Scenario(
        "200 tok/s, 3,000 tokens, after 30 exchanges of ~500 tokens",
        streamed,
        (3000, 200),
        200,
        earlier_exchanges,
    ),
    "typing": Scenario("typing during a 200 tok/s stream (3,000 tokens)", typing, (3000, 300), 200),
    "reopen": Scenario(
        "reopen a 2,000-message conversation", reopen, (10, 10), history=long_conversation
    ),
    "long": Scenario("one 20,000-token reply at 400 tok/s", long_reply, (20000, 600), 400),
    "startup": Scenario("start-up to the first accepted key", startup, (10, 10)),
}


def parse_app(text: str) -> App:
    name, sep, folder = text.partition("=")
    if not sep or not name or not Path(folder, "ollama_tui").is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=DIR of a checkout")
    return App(name, Path(folder).resolve())


def parse_size(text: str) -> tuple[int, int]:
    width, sep, height = text.partition("x")
    if not sep or not width.isdigit() or not height.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not WIDTHxHEIGHT")
    return int(width), int(height)


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.feel",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--app",
        action="append",
        type=parse_app,
        metavar="NAME=DIR",
        help="a checkout to run (repeat to compare); default: new=this checkout",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per app (default 3)")
    parser.add_argument(
        "--scenario",
        action="append",
        choices=list(SCENARIOS),
        help="run only these (repeatable); default: all",
    )
    parser.add_argument("--tiny", action="store_true", help="tiny sizes, one run: a smoke test")
    parser.add_argument("--size", type=parse_size, default=(120, 40), help="default 120x40")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = arguments(argv)
    interpreter_ok()
    apps: list[App] = args.app or [App("new", ROOT)]
    if len({app.name for app in apps}) != len(apps):
        raise SystemExit("each --app needs its own name")
    names: list[str] = args.scenario or list(SCENARIOS)
    runs = 1 if args.tiny else args.runs
    results: Results = {}
    failures: dict[str, list[str]] = {}
    print(f"apps: {', '.join(f'{a.name}={a.checkout}' for a in apps)}; {runs} run(s) each")
    with tempfile.TemporaryDirectory(prefix="ollama-tui-feel-") as folder:
        root = Path(folder)
        for app in apps:
            app.check(root)
        (root / "tmux").mkdir()
        tmux = Tmux(root / "tmux", tmux_env(root))
        try:
            for name in names:
                run_scenario(name, tmux, root, apps, args, runs, results, failures)
        finally:
            tmux.close()
    if args.json:
        meta = {
            "apps": {a.name: str(a.checkout) for a in apps},
            "runs": runs,
            "tiny": args.tiny,
            "size": f"{args.size[0]}x{args.size[1]}",
            "scenarios": {n: SCENARIOS[n].title for n in names},
        }
        write_json(args.json, meta, results, failures)


def run_scenario(
    name: str,
    tmux: Tmux,
    root: Path,
    apps: list[App],
    args: argparse.Namespace,
    runs: int,
    results: Results,
    failures: dict[str, list[str]],
) -> None:
    scenario = SCENARIOS[name]
    folder = root / name
    folder.mkdir()
    count = scenario.tokens[1 if args.tiny else 0]
    emulator = Emulator(folder, count, scenario.rate)
    ctx = Context(tmux, folder, args.size, emulator, count, scenario.rate)
    by_app: dict[str, list[Figures]] = {app.name: [] for app in apps}
    failed: list[str] = []
    try:
        if scenario.history is not None:
            ctx.history, ctx.args = scenario.history(folder, args.tiny)
        for run in range(runs):
            # Alternate the order, so neither version always runs on a warmer machine.
            for app in apps if run % 2 == 0 else apps[::-1]:
                started = time.monotonic()
                print(f"  {name}: {app.name}, run {run + 1}/{runs}…", file=sys.stderr, end="")
                try:
                    figures = scenario.run(ctx, app)
                    by_app[app.name].append(
                        {k: v for k, v in figures.items() if k not in scenario.hide}
                    )
                    print(f" {time.monotonic() - started:.1f} s", file=sys.stderr)
                except (BenchError, TimeoutError, TmuxError) as problem:
                    print(" failed", file=sys.stderr)
                    print(problem, file=sys.stderr)
                    failed.append(f"{app.name} run {run + 1}: {str(problem).splitlines()[0]}")
    finally:
        emulator.close()
    results[name] = by_app
    failures[name] = failed
    extra = {}
    if name == "history":
        ratio = ratio_rows(results, "history", "rate200", "CPU s per 1k tokens")
        extra["CPU per 1k tokens / empty chat's"] = ratio
    print()
    print(table(f"{name}: {scenario.title}", by_app, extra, failed), flush=True)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
