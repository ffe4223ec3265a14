"""Run the emulator by hand: ``python -m ollama_tui.emulator --port 11500 [--delay 0.02]``.

``--port 0`` takes a free port; the first line printed names the address either way,
and ``--port-file`` also writes the port number to a file."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ollama_tui.emulator.demo import (
    DEMO_ANSWER,
    PROSE,
    demo_pulls,
    demo_reply,
    long_reply,
    marked_reply,
)
from ollama_tui.emulator.models import ChatReply
from ollama_tui.emulator.send_log import SendLog
from ollama_tui.emulator.server import OllamaEmulator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=11500, help="0 for any free port")
    parser.add_argument("--port-file", type=Path, help="write the port number to this file")
    parser.add_argument("--delay", type=float, default=0.02, help="seconds between tokens")
    parser.add_argument(
        "--rate",
        type=float,
        help="with --tokens: tokens per second on a fixed schedule, instead of --delay",
    )
    parser.add_argument(
        "--tokens", type=int, default=0, help="reply with this many tokens instead of the demo"
    )
    kinds = parser.add_mutually_exclusive_group()
    kinds.add_argument(
        "--prose", action="store_true", help="with --tokens: plain paragraphs, no Markdown blocks"
    )
    kinds.add_argument(
        "--markdown",
        action="store_true",
        help=(
            "with --tokens: a paragraph, a list, a code block and a table every ~85 tokens, "
            "with numbered marker words (mk00001, ...); rounded up to whole sections"
        ),
    )
    parser.add_argument(
        "--send-log",
        type=Path,
        help="append when each reply chunk was sent to this file, as JSON lines",
    )
    parser.add_argument(
        "--line-kb",
        type=int,
        default=0,
        help="reply with one line of this many kilobytes, in 1,000-character tokens",
    )
    args = parser.parse_args()
    emulator = OllamaEmulator()
    log = args.send_log.open("a", encoding="utf-8") if args.send_log else None
    emulator.send_log = SendLog(log) if log else None
    emulator.start(args.port)
    emulator.pulls.update(demo_pulls())
    if args.line_kb:
        line = [f"{i:07d}" + "x" * 992 + " " for i in range(args.line_kb)]
        emulator.default_reply = lambda body: ChatReply(content=line, delay=args.delay)
    elif args.tokens and args.markdown:
        emulator.default_reply = lambda body: marked_reply(args.tokens, args.delay, args.rate)
    elif args.tokens:
        text = PROSE if args.prose else DEMO_ANSWER

        def reply(body: object) -> ChatReply:
            script = long_reply(args.tokens, args.delay, text)
            script.rate = args.rate
            return script

        emulator.default_reply = reply
    else:
        emulator.default_reply = lambda body: demo_reply(body, args.delay)
    if args.port_file:
        args.port_file.write_text(f"{emulator.port}\n", encoding="utf-8")
    print(f"Ollama emulator on {emulator.url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        emulator.stop()
    finally:
        if log is not None:
            log.close()


if __name__ == "__main__":
    main()
