"""The Ollama client, over real sockets against the loopback emulator."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator

import pytest

from ollama_tui.core.ollama import errors
from ollama_tui.core.ollama.client import OllamaClient
from ollama_tui.core.ollama.types import (
    ChatEvent,
    ContentDelta,
    Done,
    Message,
    ThinkingDelta,
    ToolCallsReceived,
)
from ollama_tui.emulator import ChatReply, OllamaEmulator, PullLayer, PullScript

HELLO = [Message("user", "hi")]


async def collect(events: AsyncIterator[ChatEvent]) -> list[ChatEvent]:
    return [event async for event in events]


def text_of(events: list[ChatEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, ContentDelta))


# -- plain endpoints ----------------------------------------------------------


async def test_version(client: OllamaClient) -> None:
    assert await client.version() == "0.12.6"


async def test_list_models_is_typed(client: OllamaClient) -> None:
    models = await client.list_models()
    names = [m.name for m in models]
    assert "qwen3:8b" in names
    qwen = next(m for m in models if m.name == "qwen3:8b")
    assert qwen.size == 5_225_388_164
    assert qwen.details.family == "qwen3"
    assert qwen.details.quantization_level == "Q4_K_M"
    assert qwen.modified_at is not None and qwen.modified_at.year == 2026
    assert qwen.capabilities is None


async def test_show_parses_facts(client: OllamaClient) -> None:
    info = await client.show("qwen3:8b")
    assert info.context_length == 40_960
    assert info.capabilities == {"completion", "tools", "thinking"}
    assert info.parameters["temperature"] == 0.6
    assert info.parameters["top_k"] == 20
    assert isinstance(info.parameters["top_k"], int)
    assert info.parameters["stop"] == ["<|im_start|>", "<|im_end|>"]
    assert info.template and info.license and info.modelfile.startswith("FROM")
    assert info.details.parameter_size == "8.0B"


async def test_show_single_stop_is_still_a_list(client: OllamaClient) -> None:
    info = await client.show("llama3.2")
    assert info.parameters["stop"] == ["<|eot_id|>"]


async def test_running_lists_loaded_models(client: OllamaClient) -> None:
    assert await client.running() == []
    assert await client.load("llama3.2:latest") == "load"
    running = await client.running()
    assert [r.name for r in running] == ["llama3.2:latest"]
    assert running[0].context_length == 4096
    assert running[0].expires_at is not None


async def test_load_and_unload_send_empty_messages(
    client: OllamaClient, emulator: OllamaEmulator
) -> None:
    assert await client.load("llama3.2:latest", keep_alive="10m") == "load"
    assert await client.unload("llama3.2:latest") == "unload"
    load, unload = (r.json for r in emulator.requests_to("/api/chat"))
    assert load == {"model": "llama3.2:latest", "messages": [], "keep_alive": "10m"}
    assert unload == {"model": "llama3.2:latest", "messages": [], "keep_alive": 0}
    assert await client.running() == []


async def test_delete_and_copy(client: OllamaClient, emulator: OllamaEmulator) -> None:
    await client.copy("llava:7b", "my-llava:latest")
    assert emulator.requests_to("/api/copy")[-1].json == {
        "source": "llava:7b",
        "destination": "my-llava:latest",
    }
    await client.delete("llava:7b")
    names = [m.name for m in await client.list_models()]
    assert "my-llava:latest" in names and "llava:7b" not in names
    assert emulator.requests_to("/api/delete")[-1].method == "DELETE"
    with pytest.raises(errors.ModelNotFound):
        await client.delete("llava:7b")


async def test_embed(client: OllamaClient) -> None:
    result = await client.embed("nomic-embed-text", ["a", "bb"])
    assert len(result.vectors) == 2
    assert all(isinstance(x, float) for x in result.vectors[0])


# -- chat and generate streams ------------------------------------------------


async def test_chat_streams_typed_events_and_stats(
    client: OllamaClient, emulator: OllamaEmulator
) -> None:
    emulator.script(
        ChatReply(
            thinking=["Let me ", "think."],
            content=["The", " answer"],
            final_content=" is 42.",
            done_reason="stop",
            stats={"eval_count": 5, "eval_duration": 250_000_000},
        )
    )
    events = await collect(client.chat("qwen3:8b", HELLO, think=True))
    thinking = "".join(e.text for e in events if isinstance(e, ThinkingDelta))
    assert thinking == "Let me think."
    assert text_of(events) == "The answer is 42."
    done = events[-1]
    assert isinstance(done, Done)
    assert done.stats.done_reason == "stop"
    assert done.stats.eval_count == 5
    assert done.stats.tokens_per_second == pytest.approx(20.0)
    assert done.stats.load_duration == 2_600_000_000  # qwen3:8b was not loaded
    sent = emulator.requests_to("/api/chat")[-1].json
    assert sent["think"] is True and sent["stream"] is True
    assert sent["messages"] == [{"role": "user", "content": "hi"}]


async def test_chat_sends_only_given_fields(client: OllamaClient, emulator: OllamaEmulator) -> None:
    await collect(
        client.chat(
            "llama3.2",
            [Message("system", "be brief"), Message("user", "hi", images=("aGk=",))],
            options={"temperature": 0.2, "stop": ["\n"]},
            keep_alive="5m",
            format="json",
            truncate=False,
        )
    )
    sent = emulator.requests_to("/api/chat")[-1].json
    assert sent == {
        "model": "llama3.2",
        "messages": [
            {"role": "system", "content": "be brief"},
            {"role": "user", "content": "hi", "images": ["aGk="]},
        ],
        "options": {"temperature": 0.2, "stop": ["\n"]},
        "format": "json",
        "keep_alive": "5m",
        "truncate": False,
        "stream": True,
    }


async def test_chat_tool_calls_accumulate(client: OllamaClient, emulator: OllamaEmulator) -> None:
    call = {
        "id": "call_abc12345",
        "function": {"index": 0, "name": "clock", "arguments": {"tz": "UTC"}},
    }
    emulator.script(ChatReply(content=[], tool_calls=[call]))
    events = await collect(client.chat("llama3.2", HELLO))
    calls = [c for e in events if isinstance(e, ToolCallsReceived) for c in e.calls]
    assert len(calls) == 1
    assert calls[0].name == "clock" and calls[0].arguments == {"tz": "UTC"}
    assert calls[0].id == "call_abc12345"


async def test_generate_streams(client: OllamaClient, emulator: OllamaEmulator) -> None:
    emulator.script(ChatReply(content=["Once", " upon"], final_content=" a time"))
    events = await collect(client.generate("llama3.2", "Tell a story", system="brief"))
    assert text_of(events) == "Once upon a time"
    assert isinstance(events[-1], Done)
    assert emulator.requests_to("/api/generate")[-1].json["system"] == "brief"


async def test_lines_split_across_writes(client: OllamaClient, emulator: OllamaEmulator) -> None:
    emulator.script(ChatReply(content=["split ", "across ", "writes"], write_size=7))
    assert text_of(await collect(client.chat("llama3.2", HELLO))) == "split across writes"


async def test_utf8_split_across_writes(client: OllamaClient, emulator: OllamaEmulator) -> None:
    tokens = ["héllo ", "世界 ", "🦙🦙"]
    emulator.script(ChatReply(content=tokens, write_size=1))
    assert text_of(await collect(client.chat("llama3.2", HELLO))) == "héllo 世界 🦙🦙"


async def test_error_line_inside_200_stream(client: OllamaClient, emulator: OllamaEmulator) -> None:
    emulator.script(ChatReply(content=["partial", " text", " lost?"], error_after=2, error="boom"))
    with pytest.raises(errors.ErrorInStream) as caught:
        await collect(client.chat("llama3.2", HELLO))
    assert caught.value.message == "boom"
    assert caught.value.partial_content == "partial text"


async def test_eof_without_done(client: OllamaClient, emulator: OllamaEmulator) -> None:
    emulator.script(ChatReply(content=["a", "b", "c"], close_after=2))
    with pytest.raises(errors.StreamEndedEarly) as caught:
        await collect(client.chat("llama3.2", HELLO))
    assert caught.value.partial_content == "ab"


async def test_clean_end_without_done(client: OllamaClient, emulator: OllamaEmulator) -> None:
    # An empty override stream: a 200 NDJSON body with no done line at all.
    emulator.respond("/api/chat", 200, b'{"message": {"role": "assistant", "content": "x"}}\n')
    with pytest.raises(errors.StreamEndedEarly) as caught:
        await collect(client.chat("llama3.2", HELLO))
    assert caught.value.partial_content == "x"


async def test_malformed_line(client: OllamaClient, emulator: OllamaEmulator) -> None:
    emulator.script(ChatReply(content=["fine", "then"], malformed_after=1))
    with pytest.raises(errors.MalformedResponse) as caught:
        await collect(client.chat("llama3.2", HELLO))
    assert caught.value.partial_content == "fine"


async def test_slow_first_token_has_no_read_timeout(emulator: OllamaEmulator) -> None:
    client = OllamaClient(emulator.url, request_timeout=0.2)
    emulator.script(ChatReply(content=["late"], first_delay=0.6))
    try:
        assert text_of(await collect(client.chat("llama3.2", HELLO))) == "late"
    finally:
        await client.aclose()


async def test_unknown_fields_are_tolerated(client: OllamaClient, emulator: OllamaEmulator) -> None:
    body = (
        b'{"message": {"role": "assistant", "content": "ok", "future": [1]},'
        b' "done": false, "x": 1}\n'
        b'{"message": {"role": "assistant", "content": ""}, "done": true, "eval_count": "NaN",'
        b' "new_metric": {"a": 1}}\n'
    )
    emulator.respond("/api/chat", 200, body)
    events = await collect(client.chat("llama3.2", HELLO))
    assert text_of(events) == "ok"
    assert isinstance(events[-1], Done) and events[-1].stats.eval_count is None


async def test_cancel_closes_the_connection(client: OllamaClient, emulator: OllamaEmulator) -> None:
    emulator.script(ChatReply(content=[f"t{i} " for i in range(200)], delay=0.02))
    seen: list[str] = []

    async def consume() -> None:
        async for event in client.chat("llama3.2", HELLO):
            if isinstance(event, ContentDelta):
                seen.append(event.text)

    task = asyncio.create_task(consume())
    while len(seen) < 3:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # The emulator's thread sees the hang-up when it next writes; a busy machine can
    # take a while to get there, so only a test that has already failed waits long.
    deadline = asyncio.get_running_loop().time() + 20
    while not emulator.disconnects and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.01)
    assert emulator.disconnects == ["/api/chat"]


# -- errors -------------------------------------------------------------------


def refusing_port() -> socket.socket:
    """A socket bound to a free port without listening: connecting to the port is
    refused, and while it is open no other server (another worker's) can take it."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    return probe


async def test_unreachable_names_url_and_hint() -> None:
    with refusing_port() as probe:
        port = probe.getsockname()[1]
        client = OllamaClient(f"http://127.0.0.1:{port}")
        try:
            with pytest.raises(errors.Unreachable) as caught:
                await client.list_models()
        finally:
            await client.aclose()
    assert f"127.0.0.1:{port}" in caught.value.message
    assert "ollama serve" in caught.value.explain()
    assert "OLLAMA_HOST" in caught.value.explain()


async def test_unreachable_on_stream() -> None:
    with refusing_port() as probe:
        port = probe.getsockname()[1]
        client = OllamaClient(f"http://127.0.0.1:{port}")
        try:
            with pytest.raises(errors.Unreachable):
                await collect(client.chat("m", HELLO))
        finally:
            await client.aclose()


async def test_dns_failure_is_unreachable() -> None:
    client = OllamaClient("http://no-such-host.invalid:11434", connect_timeout=3)
    try:
        with pytest.raises(errors.Unreachable) as caught:
            await client.version()
    finally:
        await client.aclose()
    assert "no-such-host.invalid" in caught.value.message


async def test_connect_timeout_is_unreachable() -> None:
    # A listener whose accept backlog is full drops new SYNs, so connecting hangs.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    client = OllamaClient(f"http://127.0.0.1:{port}", connect_timeout=0.3)
    try:
        with pytest.raises(errors.Unreachable):
            await client.version()
    finally:
        await client.aclose()
        for filler in fillers:
            filler.close()
        listener.close()


async def test_404_is_model_not_found(client: OllamaClient) -> None:
    with pytest.raises(errors.ModelNotFound) as caught:
        await collect(client.chat("missing:1b", HELLO))
    assert caught.value.model == "missing:1b"
    assert caught.value.status == 404
    assert "ollama pull missing:1b" in caught.value.explain()


async def test_404_branches_on_status_not_text(
    client: OllamaClient, emulator: OllamaEmulator
) -> None:
    emulator.respond("/api/show", 404, {"error": "something else entirely"})
    with pytest.raises(errors.ModelNotFound):
        await client.show("llama3.2")


async def test_400_carries_server_message(client: OllamaClient) -> None:
    with pytest.raises(errors.BadRequest) as caught:
        await collect(client.chat("llama3.2", HELLO, think=True))
    assert "does not support thinking" in caught.value.message


async def test_403_with_empty_body_explains_proxy(emulator: OllamaEmulator) -> None:
    emulator.allowed_hosts = {"localhost"}
    client = OllamaClient(emulator.url)
    try:
        with pytest.raises(errors.Forbidden) as caught:
            await client.list_models()
    finally:
        await client.aclose()
    assert caught.value.status == 403
    assert "Host header" in caught.value.explain()


async def test_401_keeps_signin_url(client: OllamaClient, emulator: OllamaEmulator) -> None:
    emulator.respond("/api/chat", 401, {"error": "unauthorized", "signin_url": "https://x/s"})
    with pytest.raises(errors.Unauthorized) as caught:
        await collect(client.chat("llama3.2", HELLO))
    assert caught.value.signin_url == "https://x/s"


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_5xx_is_server_error(
    client: OllamaClient, emulator: OllamaEmulator, status: int
) -> None:
    emulator.respond("/api/tags", status, {"error": "llama runner process has terminated"})
    with pytest.raises(errors.ServerError) as caught:
        await client.list_models()
    assert caught.value.status == status
    assert "llama runner" in caught.value.message


async def test_5xx_with_html_body(client: OllamaClient, emulator: OllamaEmulator) -> None:
    emulator.respond("/api/chat", 502, b"<html>Bad Gateway</html>")
    with pytest.raises(errors.ServerError) as caught:
        await collect(client.chat("llama3.2", HELLO))
    assert "Bad Gateway" in caught.value.message


async def test_non_json_reply_is_malformed(client: OllamaClient, emulator: OllamaEmulator) -> None:
    emulator.respond("/api/tags", 200, b"<html>captive portal</html>")
    with pytest.raises(errors.MalformedResponse):
        await client.list_models()


# -- host, auth ---------------------------------------------------------------


async def test_api_key_is_sent_but_never_shown(emulator: OllamaEmulator) -> None:
    client = OllamaClient(emulator.url, api_key="sk-secret-123")
    try:
        await client.version()
        assert "sk-secret-123" not in repr(client)
    finally:
        await client.aclose()
    assert emulator.requests[-1].headers["authorization"] == "Bearer sk-secret-123"


async def test_no_auth_header_without_key(client: OllamaClient, emulator: OllamaEmulator) -> None:
    await client.version()
    assert "authorization" not in emulator.requests[-1].headers


async def test_path_prefix_is_kept() -> None:
    with OllamaEmulator(path_prefix="/proxy/ollama") as server:
        client = OllamaClient(server.url)
        try:
            assert await client.version() == "0.12.6"
        finally:
            await client.aclose()
        assert server.requests[-1].path == "/proxy/ollama/api/version"


# -- pull -----------------------------------------------------------------------


async def test_pull_streams_progress(client: OllamaClient, emulator: OllamaEmulator) -> None:
    emulator.pulls["tiny:1b"] = PullScript(
        layers=[PullLayer("sha256:" + "a" * 64, 2_500_000), PullLayer("sha256:" + "b" * 64, 10)],
        step=1_000_000,
    )
    lines = [p async for p in client.pull("tiny:1b")]
    assert lines[0].status == "pulling manifest"
    assert lines[1].completed is None and lines[1].total == 2_500_000
    assert lines[1].status == "pulling aaaaaaaaaaaa"
    assert [p.completed for p in lines if p.digest.endswith("a" * 64)][1:] == [
        1_000_000,
        2_000_000,
        2_500_000,
    ]
    assert [p.status for p in lines[-3:]] == [
        "verifying sha256 digest",
        "writing manifest",
        "success",
    ]
    assert "tiny:1b" in [m.name for m in await client.list_models()]


async def test_pull_unknown_model_fails_in_stream(client: OllamaClient) -> None:
    with pytest.raises(errors.ErrorInStream) as caught:
        [p async for p in client.pull("nope:404")]
    assert "file does not exist" in caught.value.message
