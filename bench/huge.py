"""A huge reply: one line of 1 MB and of 4 MB, in 1,000-character tokens, 1 ms apart.

Reports CPU seconds per megabyte for each, and their ratio: a reply must cost time
linear in its size (the ratio near 1), whatever its shape.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
from pathlib import Path

from bench.streaming import run_stream
from ollama_tui.cli.main import tune_garbage_collection

SIZES_KB = (1000, 4000)


def main() -> None:
    tune_garbage_collection()  # as the command line does before it runs the app
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    print(f"One line of N kB, 1,000-character tokens 1 ms apart; median of {repeats} runs.")
    print("{:<10}{:>14}{:>12}{:>10}".format("size", "CPU s / MB", "to screen", "wall s"))
    per_mb = []
    for kb in SIZES_KB:
        runs = [
            asyncio.run(run_stream(kb, 0.001, extra=("--line-kb", str(kb)))) for _ in range(repeats)
        ]
        cpu_per_1k, received, _, wall = (
            statistics.median(figures) for figures in zip(*runs, strict=True)
        )
        cpu = cpu_per_1k  # CPU s per 1,000 tokens of 1,000 characters: per MB
        per_mb.append(cpu)
        print(f"{kb / 1000:>5.0f} MB{cpu:>14.3f}{received:>9.0f} ms{wall:>10.1f}")
    print(f"4 MB / 1 MB cost per MB: {per_mb[1] / per_mb[0]:.2f} (linear: about 1)")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
