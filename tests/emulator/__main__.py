"""Run the emulator by hand: ``python -m tests.emulator --port 11500 [--delay 0.02]``."""

from __future__ import annotations

import argparse
import time

from tests.emulator.demo import DEMO_ANSWER, PROSE, demo_pulls, demo_reply, long_reply
from tests.emulator.models import ChatReply
from tests.emulator.server import OllamaEmulator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=11500)
    parser.add_argument("--delay", type=float, default=0.02, help="seconds between tokens")
    parser.add_argument(
        "--tokens", type=int, default=0, help="reply with this many tokens instead of the demo"
    )
    parser.add_argument(
        "--prose", action="store_true", help="with --tokens: plain paragraphs, no Markdown blocks"
    )
    parser.add_argument(
        "--line-kb",
        type=int,
        default=0,
        help="reply with one line of this many kilobytes, in 1,000-character tokens",
    )
    args = parser.parse_args()
    emulator = OllamaEmulator().start(args.port)
    emulator.pulls.update(demo_pulls())
    if args.line_kb:
        line = [f"{i:07d}" + "x" * 992 + " " for i in range(args.line_kb)]
        emulator.default_reply = lambda body: ChatReply(content=line, delay=args.delay)
    elif args.tokens:
        text = PROSE if args.prose else DEMO_ANSWER
        emulator.default_reply = lambda body: long_reply(args.tokens, args.delay, text)
    else:
        emulator.default_reply = lambda body: demo_reply(body, args.delay)
    print(f"Ollama emulator on {emulator.url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        emulator.stop()


if __name__ == "__main__":
    main()
