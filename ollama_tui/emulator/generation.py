"""Chat and generate: load and unload requests, scripted replies streamed token by token,
and the figures Ollama sends at the end."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from typing import Any

from ollama_tui.emulator.management import mark_running
from ollama_tui.emulator.models import ChatReply
from ollama_tui.emulator.state import Emulated
from ollama_tui.emulator.streams import Action, stream
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
    if empty:
        unload = body.get("keep_alive") == 0
        mark_running(emulator, found.name, body.get("keep_alive"))
        reply = {
            "model": name,
            "created_at": now(),
            "done": True,
            "done_reason": "unload" if unload else "load",
        }
        reply.update({"message": {"role": "assistant", "content": ""}} if is_chat else {})
        reply.update({} if is_chat else {"response": ""})
        return await send(writer, 200, json.dumps(reply).encode())
    if body.get("think") not in (None, False) and "thinking" not in found.capabilities:
        return await send_error(writer, 400, f'"{name}" does not support thinking')
    if body.get("tools") and "tools" not in found.capabilities:
        return await send_error(writer, 400, f"{name} does not support tools")
    with emulator.lock:
        script = emulator.replies.popleft() if emulator.replies else None
    reply_script = script or emulator.default_reply(body)
    if reply_script.status is not None:
        return await send(writer, reply_script.status, reply_script.body)
    mark_running(emulator, found.name, body.get("keep_alive"))
    if not is_chat:
        messages = [{"role": "user", "content": str(body.get("prompt", ""))}]
    lines = reply_lines(emulator, name, is_chat, reply_script, messages)
    return await stream(emulator, writer, reader, path, lines, reply_script)


def reply_lines(
    emulator: Emulated,
    name: str,
    is_chat: bool,
    script: ChatReply,
    messages: list[dict[str, Any]],
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
    eval_count = len(script.content) + len(script.thinking)
    stats = {
        "total_duration": 1_500_000_000,
        "load_duration": 12_000_000,
        "prompt_eval_count": emulator.count_prompt_tokens(messages),
        "prompt_eval_duration": 80_000_000,
        "eval_count": eval_count,
        "eval_duration": max(eval_count, 1) * 20_000_000,
    }
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
