"""The meter against a server that truncates (the emulator fits each chat into its
``num_ctx`` as Ollama does): a truncated request is flagged on its reply, and never
teaches the meter a wrong scale for the model."""

from __future__ import annotations

from pathlib import Path

from ollama_tui.core.conversation import Conversation
from ollama_tui.core.history.store import HistoryStore
from ollama_tui.core.ollama.client import OllamaClient
from ollama_tui.core.ollama.types import Message
from ollama_tui.emulator import ChatReply, OllamaEmulator
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
