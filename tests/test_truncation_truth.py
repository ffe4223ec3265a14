"""The meter against a server that truncates (the emulator fits each chat into its
``num_ctx`` as Ollama does): a truncated request is flagged on its reply, and never
teaches the meter a wrong scale for the model."""

from __future__ import annotations

from pathlib import Path

from ollama_tui.core import paths
from ollama_tui.core.conversation import Conversation
from ollama_tui.core.history.store import HistoryStore
from ollama_tui.core.ollama.client import OllamaClient
from ollama_tui.core.ollama.types import Message
from ollama_tui.core.scales import ScaleStore
from ollama_tui.core.tokens import ContextCounter, Tokenizer
from ollama_tui.emulator import ChatReply, OllamaEmulator
from tests.test_cli_ask import ask
from tests.test_services import session_for

WINDOW = 512
PARAGRAPH = "The river runs past the mill, and the miller counts the sacks of grain. " * 3


async def test_truncated_replies_are_flagged_and_do_not_poison_the_scale(
    emulator: OllamaEmulator, client: OllamaClient, tmp_path: Path
) -> None:
    store = HistoryStore(tmp_path / "history")
    session, _ = session_for(client, store)
    session.conversation.settings.options = {"num_ctx": WINDOW}
    await session.catalog.show("llama3.2:latest")
    flags: list[tuple[bool, bool]] = []  # (the server dropped messages, the reply says so)
    ratios: list[float] = []
    for turn in range(12):
        emulator.script(ChatReply(content=[f"Answer {turn}. ", PARAGRAPH]))
        session.conversation.add_prompt(f"Question {turn}. {PARAGRAPH}")
        reply = session.begin_reply()
        assert session.finish(await session.stream(reply))
        kept = emulator.last_kept
        assert kept is not None
        flags.append((kept.dropped > 0 or kept.cut, reply.prompt_truncated))
        ratios.append(session.counter.ratios["llama3.2:latest"])
        if kept.dropped:
            said = f"Ollama dropped the {kept.dropped} oldest message"
            assert reply.truncation in (said, said + "s")  # as many as the server did
    assert any(dropped for dropped, _ in flags), "the test never reached the window"
    assert all(dropped == said for dropped, said in flags), flags  # none silent, none false
    # The scale learnt before the first truncation holds after it.
    first_cut = next(turn for turn, (dropped, _) in enumerate(flags) if dropped)
    assert ratios[-1] == ratios[first_cut - 1]

    # A new chat's first message is estimated at the server's scale, not a poisoned one.
    fresh = Conversation(model="llama3.2:latest")
    fresh.add_prompt(PARAGRAPH * 3)
    estimate = session.counter.estimate("llama3.2:latest", fresh.request_messages())
    emulator.script(ChatReply(content=["ok"]))
    events = [e async for e in client.chat("llama3.2:latest", [Message("user", PARAGRAPH * 3)])]
    assert events
    assert emulator.last_kept is not None
    counted = emulator.last_kept.tokens
    assert abs(estimate.total - counted) / counted <= 0.10


def test_the_scales_survive_a_restart_and_a_broken_file_is_relearnt(
    emulator: OllamaEmulator, tmp_path: Path
) -> None:
    done = ask(emulator, "-m", "llama3.2:latest", "What is a context window, in brief?")
    assert done.returncode == 0, done.stderr
    learnt = ScaleStore(paths.meter_scales()).load()
    assert 1.1 < learnt["llama3.2:latest"] < 1.6  # the emulator counts more than tiktoken
    restarted = ContextCounter(Tokenizer(), ScaleStore(paths.meter_scales()))
    assert restarted.ratios == learnt

    paths.meter_scales().write_text('{"llama3.2:latest": "x", "m": 1e9, "n": 1.2')
    broken = ScaleStore(paths.meter_scales())
    assert broken.load() == {} and "could not be read" in broken.problem
    paths.meter_scales().write_text('{"llama3.2:latest": "x", "m": 1e9, "n": 1.2}')
    assert ScaleStore(paths.meter_scales()).load() == {"n": 1.2}  # only sane scales


def test_an_estimating_tokenizer_keeps_its_scale_to_itself(tmp_path: Path) -> None:
    store = ScaleStore(tmp_path / "scales.json")
    counter = ContextCounter(Tokenizer("no-such-encoding"), store)
    counter.estimate("m", [Message("user", "hello there")])  # loads: falls back
    counter.calibrate("m", 100, 120)
    assert counter.ratios == {"m": 1.2} and not (tmp_path / "scales.json").exists()


async def test_a_prompt_cut_by_the_server_is_said_to_be_and_kept_in_the_history(
    emulator: OllamaEmulator, client: OllamaClient, tmp_path: Path
) -> None:
    store = HistoryStore(tmp_path / "history")
    session, _ = session_for(client, store)
    session.conversation.settings.options = {"num_ctx": WINDOW}
    for prompt in ("A short question.", PARAGRAPH * 20):
        emulator.script(ChatReply(content=["ok"]))
        session.conversation.add_prompt(prompt)
        reply = session.begin_reply()
        assert session.finish(await session.stream(reply))
    assert emulator.last_kept is not None and emulator.last_kept.cut
    assert reply.truncation == (
        "Ollama dropped the 2 oldest messages and cut the start of your prompt"
    )
    await session.saver.close()
    saved, _ = store.load(session.conversation.id)
    assert saved.turns[-1].reply.truncation == reply.truncation  # type: ignore[union-attr]
