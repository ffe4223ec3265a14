"""An async Ollama client over ``httpx.AsyncClient``.

Streams have no read timeout, because loading a large model before the first token
can take minutes. Cancelling a stream (breaking out of it, or cancelling the task
that reads it) closes the HTTP response at once, which is how Ollama is told to
stop generating or pulling: the protocol has no cancel endpoint.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

import httpx

from ollama_tui import __version__
from ollama_tui.ollama import errors
from ollama_tui.ollama.stream import NDJSONError, iter_objects, paced
from ollama_tui.ollama.types import (
    ChatEvent,
    ContentDelta,
    Done,
    Embeddings,
    Message,
    ModelInfo,
    ModelSummary,
    PullProgress,
    RunningModel,
    Stats,
    ThinkingDelta,
    ToolCall,
    ToolCallsReceived,
)

CONNECT_TIMEOUT = 5.0
"""Seconds to wait for a connection: short, so a dead host is reported quickly."""

REQUEST_TIMEOUT = 60.0
"""Seconds to wait for a non-streamed reply (model lists, show, delete...)."""

READ_PAUSE = 0.1
"""Seconds a stream waits, after a read that had to wait for the network, before it
reads again. Ollama writes every token on its own, so reading each one as it lands
costs a wake-up and a system call per token; pausing lets the tokens that arrive
meanwhile be taken in one read. The chat screen redraws a reply at most 20 times a
second, and at 200 tokens/s about once or twice, so ten reads a second keep it fed; at
0.04 s a 200 tokens/s stream cost ~0.07 CPU-s per 1,000 tokens more
(``bench/streaming.py``)."""

Think = bool | str
KeepAlive = int | float | str


class OllamaClient:
    """Typed access to one Ollama server.

    Args:
        base_url: e.g. ``http://127.0.0.1:11434``, as returned by ``parse_host``.
        api_key: sent as ``Authorization: Bearer``; never logged or shown.
        read_pause: see ``READ_PAUSE``; 0 reads every token as it arrives.
    """

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        connect_timeout: float = CONNECT_TIMEOUT,
        request_timeout: float = REQUEST_TIMEOUT,
        read_pause: float = READ_PAUSE,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        headers = {"User-Agent": f"ollama-tui/{__version__}"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._connect_timeout = connect_timeout
        self._request_timeout = request_timeout
        self._read_pause = read_pause
        self._http = httpx.AsyncClient(base_url=self.base_url, headers=headers)

    def __repr__(self) -> str:
        return f"OllamaClient({self.base_url!r})"

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- plain requests -------------------------------------------------------

    async def version(self) -> str:
        data = await self._json("GET", "/api/version")
        value = data.get("version")
        return value if isinstance(value, str) else ""

    async def list_models(self) -> list[ModelSummary]:
        data = await self._json("GET", "/api/tags")
        return [ModelSummary.from_json(m) for m in _list_of_dicts(data.get("models"))]

    async def show(self, model: str) -> ModelInfo:
        data = await self._json("POST", "/api/show", {"model": model}, model=model)
        return ModelInfo.from_json(model, data)

    async def running(self) -> list[RunningModel]:
        data = await self._json("GET", "/api/ps")
        return [RunningModel.from_json(m) for m in _list_of_dicts(data.get("models"))]

    async def delete(self, model: str) -> None:
        await self._json("DELETE", "/api/delete", {"model": model}, model=model)

    async def copy(self, source: str, destination: str) -> None:
        await self._json(
            "POST", "/api/copy", {"source": source, "destination": destination}, model=source
        )

    async def load(self, model: str, keep_alive: KeepAlive | None = None) -> str:
        """Load ``model`` into memory; returns the ``done_reason`` (``"load"``)."""
        body: dict[str, Any] = {"model": model, "messages": []}
        if keep_alive is not None:
            body["keep_alive"] = keep_alive
        data = await self._json("POST", "/api/chat", body, model=model, timeout=None)
        return str(data.get("done_reason", ""))

    async def unload(self, model: str) -> str:
        """Unload ``model`` now (``keep_alive`` 0); returns ``"unload"``."""
        body = {"model": model, "messages": [], "keep_alive": 0}
        data = await self._json("POST", "/api/chat", body, model=model)
        return str(data.get("done_reason", ""))

    async def embed(self, model: str, inputs: str | Sequence[str]) -> Embeddings:
        body = {"model": model, "input": inputs if isinstance(inputs, str) else list(inputs)}
        data = await self._json("POST", "/api/embed", body, model=model, timeout=None)
        vectors = tuple(
            tuple(float(x) for x in vector if isinstance(x, int | float))
            for vector in data.get("embeddings") or []
            if isinstance(vector, list)
        )
        count = data.get("prompt_eval_count")
        return Embeddings(model, vectors, count if isinstance(count, int) else None)

    # -- streams --------------------------------------------------------------

    async def chat(
        self,
        model: str,
        messages: Sequence[Message],
        *,
        options: Mapping[str, Any] | None = None,
        think: Think | None = None,
        format: str | Mapping[str, Any] | None = None,  # noqa: A002 - the API's name
        keep_alive: KeepAlive | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        truncate: bool | None = None,
    ) -> AsyncGenerator[ChatEvent, None]:
        """Stream a chat reply as typed events, ending with ``Done``.

        Raises ``StreamFailed`` subclasses carrying the partial text when the stream
        stops early. Content of the final chunk is yielded before ``Done``.
        """
        body = _without_none(
            model=model,
            messages=[m.to_json() for m in messages],
            options=dict(options) if options else None,
            think=think,
            format=format,
            keep_alive=keep_alive,
            tools=list(tools) if tools else None,
            truncate=truncate,
            stream=True,
        )
        async for event in self._generation_stream("/api/chat", body, model):
            yield event

    async def generate(
        self,
        model: str,
        prompt: str,
        *,
        system: str | None = None,
        options: Mapping[str, Any] | None = None,
        think: Think | None = None,
        images: Sequence[str] = (),
        keep_alive: KeepAlive | None = None,
    ) -> AsyncGenerator[ChatEvent, None]:
        body = _without_none(
            model=model,
            prompt=prompt,
            system=system,
            options=dict(options) if options else None,
            think=think,
            images=list(images) or None,
            keep_alive=keep_alive,
            stream=True,
        )
        async for event in self._generation_stream("/api/generate", body, model):
            yield event

    async def pull(
        self, model: str, *, insecure: bool = False
    ) -> AsyncGenerator[PullProgress, None]:
        """Stream pull progress. An in-stream error raises ``ErrorInStream``."""
        body: dict[str, Any] = {"model": model, "stream": True}
        if insecure:
            body["insecure"] = True
        finished = False
        async with self._stream("POST", "/api/pull", body, model) as lines:
            async for data in lines:
                if "error" in data:
                    raise errors.ErrorInStream(_error_text(data))
                progress = PullProgress.from_json(data)
                finished = finished or progress.status == "success"
                yield progress
        if not finished:
            raise errors.StreamEndedEarly("The pull ended before the server said it succeeded.")

    # -- internals ------------------------------------------------------------

    async def _generation_stream(
        self, path: str, body: dict[str, Any], model: str
    ) -> AsyncGenerator[ChatEvent, None]:
        content: list[str] = []
        thinking: list[str] = []

        def failure(kind: type[errors.StreamFailed], message: str) -> errors.StreamFailed:
            return kind(message, "".join(content), "".join(thinking))

        try:
            async with self._stream("POST", path, body, model) as lines:
                async for data in lines:
                    if "error" in data:
                        raise failure(errors.ErrorInStream, _error_text(data))
                    message = data.get("message")
                    message = message if isinstance(message, dict) else data
                    think_text = message.get("thinking")
                    if isinstance(think_text, str) and think_text:
                        thinking.append(think_text)
                        yield ThinkingDelta(think_text)
                    text = message.get("content", message.get("response"))
                    if isinstance(text, str) and text:
                        content.append(text)
                        yield ContentDelta(text)
                    calls = message.get("tool_calls")
                    if isinstance(calls, list) and calls:
                        parsed = tuple(ToolCall.from_json(c) for c in _list_of_dicts(calls))
                        yield ToolCallsReceived(parsed)
                    if data.get("done") is True:
                        context = data.get("context")
                        tokens = (
                            tuple(t for t in context if isinstance(t, int))
                            if isinstance(context, list)
                            else ()
                        )
                        yield Done(Stats.from_json(data), tokens)
                        return
        except errors.MalformedResponse as error:
            raise failure(errors.MalformedResponse, error.message) from None
        except errors.StreamEndedEarly as error:
            raise failure(errors.StreamEndedEarly, error.message) from None
        raise failure(errors.StreamEndedEarly, "The server ended the reply before it was done.")

    @asynccontextmanager
    async def _stream(
        self, method: str, path: str, body: dict[str, Any], model: str
    ) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
        timeout = self._timeout(None)
        try:
            async with self._http.stream(method, path, json=body, timeout=timeout) as response:
                if response.status_code >= 400:
                    await response.aread()
                    raise _status_error(response, model)
                yield _guarded(iter_objects(paced(response.aiter_bytes(), self._read_pause)))
        except httpx.TransportError as error:
            raise self._transport_error(error) from None

    async def _json(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        model: str = "",
        timeout: float | None = REQUEST_TIMEOUT,
    ) -> dict[str, Any]:
        try:
            response = await self._http.request(
                method, path, json=body, timeout=self._timeout(timeout)
            )
        except httpx.TransportError as error:
            raise self._transport_error(error) from None
        if response.status_code >= 400:
            raise _status_error(response, model)
        text = response.content.strip()
        if not text:
            return {}
        try:
            data = json.loads(text)
        except ValueError:
            raise errors.MalformedResponse(
                f"{path} answered with something that is not JSON."
            ) from None
        if not isinstance(data, dict):
            raise errors.MalformedResponse(f"{path} answered with JSON that is not an object.")
        if "error" in data:
            raise errors.ErrorInStream(_error_text(data))
        return data

    def _timeout(self, read: float | None) -> httpx.Timeout:
        """Connect quickly; wait ``read`` seconds (None: forever) for the answer."""
        if read == REQUEST_TIMEOUT:
            read = self._request_timeout
        return httpx.Timeout(read, connect=self._connect_timeout)

    def _transport_error(self, error: httpx.TransportError) -> errors.OllamaError:
        if isinstance(error, httpx.ConnectTimeout):
            reason = f"no answer within {self._connect_timeout:g} s"
            return errors.Unreachable(self.base_url, reason)
        if isinstance(error, httpx.ConnectError | httpx.UnsupportedProtocol):
            reason = _reason(error) or "connection failed"
            return errors.Unreachable(self.base_url, reason)
        if isinstance(error, httpx.ReadError | httpx.RemoteProtocolError | httpx.WriteError):
            return errors.StreamEndedEarly(
                f"The connection to {self.base_url} was lost ({_reason(error) or 'closed'})."
            )
        if isinstance(error, httpx.TimeoutException):
            return errors.Unreachable(self.base_url, "the server did not answer in time")
        return errors.Unreachable(self.base_url, _reason(error) or type(error).__name__)


async def _guarded(objects: AsyncIterator[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
    try:
        async for obj in objects:
            yield obj
    except NDJSONError as error:
        raise errors.MalformedResponse(f"The server sent a broken line ({error}).") from None


def _status_error(response: httpx.Response, model: str) -> errors.HTTPError:
    status = response.status_code
    message, signin_url = "", None
    try:
        data = json.loads(response.content)
    except ValueError:
        data = None
    if isinstance(data, dict):
        message = _error_text(data)
        url = data.get("signin_url")
        signin_url = url if isinstance(url, str) else None
    elif response.content.strip():
        message = response.content[:300].decode("utf-8", errors="replace").strip()
    if status == 400:
        return errors.BadRequest(message)
    if status == 401:
        return errors.Unauthorized(message, signin_url)
    if status == 403:
        return errors.Forbidden(message)
    if status == 404:
        return errors.ModelNotFound(model, message)
    if status >= 500:
        return errors.ServerError(status, message)
    return errors.HTTPError(status, message or f"The server answered with status {status}.")


def _error_text(data: Mapping[str, Any]) -> str:
    value = data.get("error")
    return value if isinstance(value, str) else json.dumps(value)


def _reason(error: Exception) -> str:
    text = str(error).strip()
    while not text and error.__cause__ is not None:
        error = error.__cause__  # type: ignore[assignment]
        text = str(error).strip()
    return text


def _list_of_dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _without_none(**fields: Any) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not None}
