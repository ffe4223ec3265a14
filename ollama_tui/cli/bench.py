"""``ollama-tui bench -m MODEL [-m MODEL ...]``: how fast models run on this server.

The method follows Ollama's own benchmark tool and llama-bench: a warm-up run, then
``--runs`` runs with everything that changes speed fixed (``num_ctx``, no thinking,
temperature 0, a seed); a prompt of about ``--prompt-tokens`` tokens, its length set
from the server's own count after the warm-up, and started differently on every run so
that the prompt cache cannot hide the prefill; ``--gen-tokens`` tokens generated (a
reply that stops short is run again); ``--cold`` unloads the model before each run,
so the load is measured. Every run goes to the generation log; nothing is sent
anywhere but the Ollama server.
"""

from __future__ import annotations

import argparse
from typing import IO, Any

from ollama_tui.cli.bench_report import Result, report
from ollama_tui.cli.common import client_for
from ollama_tui.cli.exits import OK, USAGE, code_for
from ollama_tui.cli.progress import Progress
from ollama_tui.core import paths
from ollama_tui.core.config import Config
from ollama_tui.core.conversation import Conversation, Reply, ReplyStatus
from ollama_tui.core.history.store import HistoryStore
from ollama_tui.core.ollama import errors
from ollama_tui.core.ollama.types import Stats, milliseconds
from ollama_tui.core.pulls import tagged
from ollama_tui.core.tokens import ContextCounter, Tokenizer
from ollama_tui.services.catalog import ModelCatalog
from ollama_tui.services.chat_session import ChatSession
from ollama_tui.services.generation_log import GenerationLog
from ollama_tui.services.saver import ConversationSaver

SEED = 42
RETRIES = 2
"""Runs again a reply that stops before ``--gen-tokens``, at most this many times."""
FILLER = (
    "The quick brown fox jumps over the lazy dog while the river runs past the mill and "
    "the miller counts the sacks of grain stacked by the door. "
)


def add_parser(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    bench = commands.add_parser(
        "bench", parents=parents, help="measure how fast models run", description=__doc__
    )
    bench.add_argument("-m", "--model", dest="models", action="append", required=True)
    bench.add_argument("--runs", type=int, default=5, help="measured runs (default 5)")
    bench.add_argument("--prompt-tokens", type=int, default=512, help="prompt length")
    bench.add_argument("--gen-tokens", type=int, default=128, help="tokens generated")
    bench.add_argument("--num-ctx", type=int, help="context length (default: fits the run)")
    bench.add_argument("--cold", action="store_true", help="unload before each run")
    bench.add_argument("--format", choices=["table", "csv", "json", "md"], default="table")


def prompt_text(words: int, run: int, attempt: int = 0) -> str:
    """About ``words`` words, opening with the run's number (and the attempt's, for a
    run made again) so no two requests share a cached prefix."""
    filler = FILLER.split()
    body = " ".join(filler[i % len(filler)] for i in range(max(1, words)))
    label = f"{run}.{attempt}" if attempt else f"{run}"
    return f"Run {label}. Summarise: {body}"


def figures(reply: Reply) -> dict[str, float | None]:
    stats = reply.stats or Stats()
    return {
        "load_ms": milliseconds(stats.load_duration),
        "ttft_ms": None if reply.first_token_s is None else reply.first_token_s * 1000,
        "prefill_tps": stats.prompt_tokens_per_second,
        "generation_tps": stats.tokens_per_second,
        "total_ms": milliseconds(stats.total_duration),
        "prompt_tokens": stats.prompt_eval_count,
        "eval_tokens": stats.eval_count,
    }


class Bench:
    def __init__(self, args: argparse.Namespace, config: Config, err: IO[str]) -> None:
        self.args, self.config, self.err = args, config, err
        self.client = client_for(config)
        self.catalog = ModelCatalog(self.client)
        self.log = GenerationLog(paths.generation_log())
        self.saver = ConversationSaver(HistoryStore(config.history_dir), lambda _: None)
        self.counter = ContextCounter(Tokenizer())
        self.version = ""

    async def once(self, model: str, prompt: str) -> Reply:
        args = self.args
        conversation = Conversation(model=model)
        num_ctx = args.num_ctx or max(2048, 2 * (args.prompt_tokens + args.gen_tokens))
        conversation.settings.options = {
            "num_ctx": num_ctx,
            "num_predict": args.gen_tokens,
            "temperature": 0,
            "seed": SEED,
        }
        capabilities = (await self.catalog.show(model)).capabilities
        conversation.settings.think = False if "thinking" in capabilities else None
        session = ChatSession(
            conversation,
            client=self.client,
            counter=self.counter,
            catalog=self.catalog,
            saver=self.saver,
            log=self.log,
            source="bench",
        )
        session.kept = False
        session.server_version = self.version
        conversation.add_prompt(prompt)
        reply = session.begin_reply()
        ended = await session.stream(reply)
        session.finish(ended)
        if ended.error is not None:
            raise ended.error
        return reply

    async def model(self, model: str) -> Result:
        args, result = self.args, Result(model)
        words = args.prompt_tokens
        progress = Progress(self.err, args.runs + 1, model)
        warm = await self.once(model, prompt_text(words, 0))
        progress.step("(warm-up)")
        counted = warm.stats.prompt_eval_count if warm.stats else None
        if counted:  # the server's own count sets the prompt's length
            words = max(1, round(words * args.prompt_tokens / counted))
        for run in range(1, args.runs + 1):
            for attempt in range(RETRIES + 1):
                if args.cold:
                    await self.client.unload(model)
                reply = await self.once(model, prompt_text(words, run, attempt))
                short = reply.stats is None or (reply.stats.eval_count or 0) < args.gen_tokens
                if reply.status is ReplyStatus.COMPLETE and not short:
                    break
            result.runs.append(figures(reply))
            tps = result.runs[-1]["generation_tps"]
            progress.step(f"({tps:,.1f} tok/s)" if tps else "")
        progress.close()
        made = [run["eval_tokens"] or 0 for run in result.runs]
        if min(made, default=args.gen_tokens) < args.gen_tokens:
            self.err.write(
                f"{model}: some replies ended before {args.gen_tokens} tokens even when run "
                f"again (fewest {min(made):.0f}); their figures are in the results.\n"
            )
        info = await self.catalog.show(model)
        running = await self.client.running()
        loaded = next((m for m in running if tagged(m.name) == tagged(model)), None)
        result.details = {
            "family": info.details.family,
            "parameters": info.details.parameter_size,
            "quantization": info.details.quantization_level,
            "context_length": loaded.context_length if loaded else None,
            "size": loaded.size if loaded else None,
            "size_vram": loaded.size_vram if loaded else None,
            "server_version": self.version,
        }
        return result


async def run(args: argparse.Namespace, config: Config, out: IO[str], err: IO[str]) -> int:
    if args.runs < 1 or args.prompt_tokens < 1 or args.gen_tokens < 1:
        err.write("ollama-tui bench: --runs, --prompt-tokens and --gen-tokens must be >= 1\n")
        return USAGE
    bench = Bench(args, config, err)
    results: list[Result] = []
    try:
        bench.version = await bench.client.version()
        for model in args.models:
            results.append(await bench.model(model))
    except errors.OllamaError as error:
        err.write(f"ollama-tui bench: {error.explain()}\n")
        return code_for(error)
    finally:
        await bench.client.aclose()
    out.write(report(results, args.format))
    return OK
