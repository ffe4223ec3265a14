"""Chat and generate: load and unload requests, scripted replies streamed token by token,
and the figures Ollama sends at the end."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from ollama_tui.emulator.management import mark_running
from ollama_tui.emulator.models import ChatReply, FakeModel
from ollama_tui.emulator.state import Emulated
from ollama_tui.emulator.streams import Action, stream
from ollama_tui.emulator.timing import (
    OVERHEAD_SECONDS,
    WARM_LOAD_SECONDS,
    Timing,
    nanoseconds,
    timing_for,
)
from ollama_tui.emulator.tokenizer import count_text, render
from ollama_tui.emulator.truncation import DEFAULT_NUM_CTX, fit, overflows
from ollama_tui.emulator.wire import Writer, line, name_of, now, send, send_error


async def generate(
    emulator: Emulated,
    writer: Writer,
    reader: asyncio.StreamReader,
    path: str,
    body: dict[str, Any],
) -> bool:
    name = name_of(body)
    if not name:
        return await send_error(writer, 400, "model is required")
    found = emulator.model(name)
    if found is None:
        return await send_error(writer, 404, f"model '{name}' not found")
    is_chat = path == "/api/chat"
    messages = body.get("messages") or []
    empty = not messages if is_chat else not body.get("prompt")
    num_ctx = requested_num_ctx(body) or default_num_ctx(found)
    cold = needs_load(emulator, found.name, num_ctx)
    if empty:
        unload = body.get("keep_alive") == 0
        if unload:
            emulator.prompt_cache.forget(found.name)
        mark_running(emulator, found.name, body.get("keep_alive"), num_ctx)
        load_s = found.load_seconds if cold and not unload else WARM_LOAD_SECONDS
        await asyncio.sleep(load_s * emulator.pace)
        reply = {
            "model": name,
            "created_at": now(),
            "done": True,
            "done_reason": "unload" if unload else "load",
            "total_duration": nanoseconds(load_s + OVERHEAD_SECONDS),
            "load_duration": nanoseconds(load_s),
        }
        reply.update({"message": {"role": "assistant", "content": ""}} if is_chat else {})
        reply.update({} if is_chat else {"response": ""})
        return await send(writer, 200, json.dumps(reply).encode())
    if "completion" not in found.capabilities:
        kind = "chat" if is_chat else "generate"
        return await send_error(writer, 400, f'"{name}" does not support {kind}')
    if body.get("think") not in (None, False) and "thinking" not in found.capabilities:
        return await send_error(writer, 400, f'"{name}" does not support thinking')
    if body.get("tools") and "tools" not in found.capabilities:
        return await send_error(writer, 400, f"{name} does not support tools")
    if not is_chat:
        messages = [{"role": "user", "content": str(body.get("prompt", ""))}]
    window = num_ctx
    system = str(body.get("system") or found.system)

    def count(counted: list[dict[str, Any]]) -> int:
        return emulator.count_prompt_tokens(counted, system)

    if body.get("truncate") is False and overflows(messages, window, count):
        return await send_error(writer, 400, "the input length exceeds the context length")
    if is_chat and body.get("_debug_render_only"):
        await asyncio.sleep((found.load_seconds if cold else WARM_LOAD_SECONDS) * emulator.pace)
        mark_running(emulator, found.name, body.get("keep_alive"), num_ctx)
        kept = fit(messages, window, count)
        return await send(
            writer, 200, json.dumps(render_only(name, kept.messages, system)).encode()
        )
    with emulator.lock:
        script = emulator.replies.popleft() if emulator.replies else None
    reply_script = script or emulator.default_reply(body)
    if reply_script.status is not None:
        return await send(writer, reply_script.status, reply_script.body)
    reply_script = within_num_predict(reply_script, body)
    if emulator.pace and reply_script.rate is None and not reply_script.delay:
        reply_script = replace(reply_script, rate=found.eval_tps / emulator.pace)
    kept = emulator.last_kept = fit(messages, window, count)
    timing = timing_for(
        found,
        cold=cold,
        prompt_tokens=kept.tokens,
        reused_share=emulator.prompt_cache.reuse(found.name, render(kept.messages, system)),
    )
    mark_running(emulator, found.name, body.get("keep_alive"), num_ctx)
    lines = reply_lines(name, is_chat, reply_script, timing, found.eval_tps)
    waited = (timing.load_s + timing.prefill_s) * emulator.pace
    return await stream(emulator, writer, reader, path, lines, reply_script, waited)


def render_only(name: str, messages: list[dict[str, Any]], system: str) -> dict[str, Any]:
    """``_debug_render_only``'s answer: the prompt the model would read, generated from
    nothing (Ollama 0.11.5 and later)."""
    images = sum(len(m.get("images") or ()) for m in messages)
    info: dict[str, Any] = {"rendered_template": render(messages, system)}
    if images:
        info["image_count"] = images
    return {
        "model": name,
        "created_at": now(),
        "message": {"role": "assistant", "content": ""},
        "done": True,
        "_debug_info": info,
    }


def within_num_predict(script: ChatReply, body: dict[str, Any]) -> ChatReply:
    """The reply cut at ``num_predict`` tokens (thinking counts), ending for "length"."""
    options = body.get("options")
    limit = options.get("num_predict") if isinstance(options, dict) else None
    if not isinstance(limit, int) or limit < 0:
        return script
    sizes = [count_text(piece) for piece in [*script.thinking, *script.content]]
    if sum(sizes) <= limit:
        return script
    kept, used = 0, 0
    while used + sizes[kept] <= limit:
        used += sizes[kept]
        kept += 1
    thinking = list(script.thinking)[:kept]
    content = list(script.content)[: kept - len(thinking)]
    return replace(
        script, thinking=thinking, content=content, final_content="", done_reason="length"
    )


def requested_num_ctx(body: dict[str, Any]) -> int | None:
    options = body.get("options")
    value = options.get("num_ctx") if isinstance(options, dict) else None
    return value if isinstance(value, int) and value > 0 else None


def default_num_ctx(model: FakeModel) -> int:
    """The window a request that sets no num_ctx gets: the Modelfile's num_ctx, else
    the server's default, at most the model's maximum. A model loaded with another is
    loaded again (Ollama compares the load-time options of each request)."""
    found = re.search(r"^num_ctx\s+(\d+)", model.parameters, re.MULTILINE)
    default = int(found.group(1)) if found else DEFAULT_NUM_CTX
    return min(default, model.context_length)


def needs_load(emulator: Emulated, name: str, num_ctx: int) -> bool:
    """Not loaded, or loaded with another context length (which reloads it)."""
    loaded = next((r for r in emulator.running if r.name == name), None)
    return loaded is None or num_ctx != loaded.context_length


def reply_lines(
    name: str,
    is_chat: bool,
    script: ChatReply,
    timing: Timing,
    eval_tps: float,
) -> Iterable[bytes | Action]:
    def chunk(content: str = "", thinking: str = "", **extra: Any) -> dict[str, Any]:
        base: dict[str, Any] = {"model": name, "created_at": now()}
        if is_chat:
            message: dict[str, Any] = {"role": "assistant", "content": content}
            if thinking:
                message["thinking"] = thinking
            if "tool_calls" in extra:
                message["tool_calls"] = extra.pop("tool_calls")
            base["message"] = message
        else:
            base["response"] = content
            if thinking:
                base["thinking"] = thinking
        base["done"] = False
        base.update(extra)
        return base

    pieces: list[dict[str, Any]] = [chunk(thinking=t) for t in script.thinking]
    pieces += [chunk(content=c) for c in script.content]
    if script.tool_calls:
        pieces.append(chunk(tool_calls=[dict(c) for c in script.tool_calls]))
    eval_count = count_text("".join(script.thinking)) + count_text("".join(script.content))
    stats = timing.stats(max(eval_count, 1), eval_tps)
    stats["eval_count"] = eval_count
    stats.update(script.stats or {})
    final = chunk(content=script.final_content, done=True, done_reason=script.done_reason)
    final.update(stats)

    for index, piece in enumerate(pieces):
        if index == script.hold_after:
            yield Action.HOLD
        if index == script.error_after:
            yield line({"error": script.error})
            return
        if index == script.close_after:
            yield Action.ABORT
            return
        if index == script.malformed_after:
            yield b'{"model": "broken", "message": {"content": "unterminated\n'
        yield line(piece)
    count = len(pieces)
    if script.error_after is not None and script.error_after >= count:
        yield line({"error": script.error})
        return
    if script.close_after is not None and script.close_after >= count:
        yield Action.ABORT
        return
    yield line(final)


def echo_reply(body: dict[str, Any]) -> ChatReply:
    messages = body.get("messages") or [{"content": body.get("prompt", "")}]
    last = str(messages[-1].get("content", "")) if isinstance(messages[-1], dict) else ""
    words = f"You said: {last}".split(" ")
    return ChatReply(content=[w if i == 0 else f" {w}" for i, w in enumerate(words)])
