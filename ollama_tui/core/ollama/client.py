"""An async Ollama client over ``httpx.AsyncClient``.

Streams have no read timeout, because loading a large model before the first token
can take minutes. Cancelling a stream (breaking out of it, or cancelling the task
that reads it) closes the HTTP response at once, which is how Ollama is told to
stop generating or pulling: the protocol has no cancel endpoint.

Every failure, whatever the server sends, is raised as an ``OllamaError`` whose
message is a plain sentence; ``responses`` reads the answers and words the failures.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from ollama_tui import __version__
from ollama_tui.core import safe_json
from ollama_tui.core.blobs import read_chunks
from ollama_tui.core.ollama import errors, responses
from ollama_tui.core.ollama.bodies import KeepAlive, Think, chat_body, without_none
from ollama_tui.core.ollama.stream import NDJSONError, iter_objects
from ollama_tui.core.ollama.types import (
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

ANSWER_BYTES = 64 * 1024 * 1024
"""A non-streamed answer (model lists, show...) larger than this is refused unread."""
ERROR_BODY_BYTES = 1024 * 1024
"""Of an error page, this much is read, at most."""


class OllamaClient:
    """Typed access to one Ollama server.

    Args:
        base_url: e.g. ``http://127.0.0.1:11434``, as returned by ``parse_host``.
        api_key: sent as ``Authorization: Bearer``; never logged or shown.
        basic_auth: user and password for a proxy in front of Ollama, sent as Basic
            auth (in place of ``api_key``); never logged or shown.
    """

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        basic_auth: tuple[str, str] | None = None,
        connect_timeout: float = CONNECT_TIMEOUT,
        request_timeout: float = REQUEST_TIMEOUT,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        headers = {"User-Agent": f"ollama-tui/{__version__}"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._connect_timeout = connect_timeout
        self._request_timeout = request_timeout
        auth = httpx.BasicAuth(*basic_auth) if basic_auth is not None else None
        self._http = httpx.AsyncClient(base_url=self.base_url, headers=headers, auth=auth)

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
        models = [ModelSummary.from_json(m) for m in responses.list_of_dicts(data.get("models"))]
        return responses.unique(models, lambda model: model.name)

    async def show(self, model: str) -> ModelInfo:
        data = await self._json("POST", "/api/show", {"model": model}, model=model)
        return ModelInfo.from_json(model, data)

    async def running(self) -> list[RunningModel]:
        data = await self._json("GET", "/api/ps")
        models = [RunningModel.from_json(m) for m in responses.list_of_dicts(data.get("models"))]
        return responses.unique(models, lambda model: model.name)

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
        return responses.text_field(data, "done_reason")

    async def render(self, body: dict[str, Any]) -> str:
        """The prompt the model reads for the chat request ``body``, as Ollama renders
        and counts it (after fitting it into the window). It loads the model. Only
        Ollama 0.11.5 and later render without answering: check the version first."""
        model = str(body.get("model", ""))
        asked = {**body, "stream": False, "_debug_render_only": True}
        data = await self._json("POST", "/api/chat", asked, model=model, timeout=None)
        info = data.get("_debug_info")
        rendered = info.get("rendered_template") if isinstance(info, dict) else None
        if not isinstance(rendered, str):
            raise errors.MalformedResponse("The server did not show the rendered prompt.")
        return rendered

    async def unload(self, model: str) -> str:
        """Unload ``model`` now (``keep_alive`` 0); returns ``"unload"``."""
        body = {"model": model, "messages": [], "keep_alive": 0}
        data = await self._json("POST", "/api/chat", body, model=model)
        return responses.text_field(data, "done_reason")

    async def embed(
        self, model: str, inputs: str | Sequence[str], dimensions: int | None = None
    ) -> Embeddings:
        body: dict[str, Any] = {
            "model": model,
            "input": inputs if isinstance(inputs, str) else list(inputs),
        }
        if dimensions is not None:
            body["dimensions"] = dimensions
        data = await self._json("POST", "/api/embed", body, model=model, timeout=None)
        try:
            vectors = tuple(
                tuple(float(x) for x in vector if isinstance(x, int | float))
                for vector in data.get("embeddings") or []
                if isinstance(vector, list)
            )
        except OverflowError:
            raise errors.MalformedResponse(
                "/api/embed answered with a number out of range."
            ) from None
        count = data.get("prompt_eval_count")
        return Embeddings(model, vectors, count if isinstance(count, int) else None)

    # -- streams --------------------------------------------------------------

    def chat(
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
        body = chat_body(
            model,
            messages,
            options=options,
            think=think,
            format=format,
            keep_alive=keep_alive,
            tools=tools,
            truncate=truncate,
        )
        return self._generation_stream("/api/chat", body, model)

    def generate(
        self,
        model: str,
        prompt: str,
        *,
        system: str | None = None,
        options: Mapping[str, Any] | None = None,
        think: Think | None = None,
        images: Sequence[str] = (),
        keep_alive: KeepAlive | None = None,
        raw: bool = False,
        format: str | Mapping[str, Any] | None = None,  # noqa: A002 (Ollama's own name)
    ) -> AsyncGenerator[ChatEvent, None]:
        """``raw``: the prompt goes to the model as it is, without its template (for
        code-completion models)."""
        body = without_none(
            model=model,
            prompt=prompt,
            system=system,
            options=dict(options) if options else None,
            think=think,
            images=list(images) or None,
            keep_alive=keep_alive,
            raw=raw or None,
            format=format,
            stream=True,
        )
        return self._generation_stream("/api/generate", body, model)

    def pull(self, model: str, *, insecure: bool = False) -> AsyncGenerator[PullProgress, None]:
        """Stream pull progress. An in-stream error raises ``ErrorInStream``."""
        body: dict[str, Any] = {"model": model, "stream": True}
        if insecure:
            body["insecure"] = True
        return self._progress("/api/pull", body, model, "pull")

    def create_stream(self, body: dict[str, Any]) -> AsyncGenerator[PullProgress, None]:
        """Create a model, streaming the server's progress (upload the blobs named in
        ``files`` and ``adapters`` first). An in-stream error raises ``ErrorInStream``."""
        model = str(body.get("from", ""))
        return self._progress("/api/create", {**body, "stream": True}, model, "creation")

    # -- blobs ----------------------------------------------------------------

    async def has_blob(self, digest: str) -> bool:
        """Whether the server holds the blob ``digest`` (``sha256:<hex>``) already."""
        try:
            await self._json("HEAD", f"/api/blobs/{digest}")
        except errors.ModelNotFound:  # 404, without a body: a HEAD answer has none
            return False
        return True

    async def upload_blob(
        self, digest: str, path: Path, on_progress: Callable[[int], None] | None = None
    ) -> None:
        """Send the file at ``path`` as the blob ``digest``, a chunk at a time (it may be
        tens of gigabytes); ``on_progress`` hears the bytes sent so far. Bytes that do
        not match ``digest`` are refused (``BadRequest``); reading may raise ``OSError``."""
        with path.open("rb") as file:
            chunks = read_chunks(file, on_progress)
            await self._json("POST", f"/api/blobs/{digest}", content=chunks, timeout=None)

    # -- internals ------------------------------------------------------------

    async def _progress(
        self, path: str, body: dict[str, Any], model: str, what: str
    ) -> AsyncGenerator[PullProgress, None]:
        """The progress lines of a pull or a creation, until "success"."""
        finished = False
        try:
            async with self._stream("POST", path, body, model) as lines:
                async for data in lines:
                    if "error" in data:
                        raise errors.ErrorInStream(responses.error_text(data))
                    progress = PullProgress.from_json(data)
                    finished = finished or progress.status == "success"
                    yield progress
        except errors.OllamaError:
            raise
        except Exception as error:  # whatever else the server's reply set off
            message = f"The {what}'s progress could not be read ({type(error).__name__})."
            raise errors.MalformedResponse(message) from None
        if not finished:
            raise errors.StreamEndedEarly(f"The {what} ended before the server said it succeeded.")

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
                        raise failure(errors.ErrorInStream, responses.error_text(data))
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
                        parsed = tuple(
                            ToolCall.from_json(c) for c in responses.list_of_dicts(calls)
                        )
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
        except errors.ErrorInStream:
            raise
        except errors.StreamFailed as error:
            raise failure(type(error), error.message) from None
        except errors.OllamaError:
            raise
        except Exception as error:  # whatever else the server's reply set off
            message = f"The reply could not be read ({type(error).__name__})."
            raise failure(errors.MalformedResponse, message) from None
        raise failure(errors.StreamEndedEarly, "The server ended the reply before it was done.")

    @asynccontextmanager
    async def _stream(
        self, method: str, path: str, body: dict[str, Any], model: str
    ) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
        timeout = self._timeout(None)
        answered = False
        try:
            async with self._http.stream(method, path, json=body, timeout=timeout) as response:
                answered = True
                if not 200 <= response.status_code < 300 or responses.is_web_page(response):
                    page = await responses.read_start(response, ERROR_BODY_BYTES)
                    raise responses.status_error(response, page, model)
                yield iter_objects(response.aiter_bytes())
        except NDJSONError as error:  # raised where the objects are read, in the caller
            raise errors.MalformedResponse(f"The server sent {error}.") from None
        except httpx.HTTPError as error:
            raise self._transport_error(error, answered=answered) from None

    async def _json(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        model: str = "",
        timeout: float | None = REQUEST_TIMEOUT,
        content: AsyncIterator[bytes] | None = None,
    ) -> dict[str, Any]:
        """``body`` sent as JSON, or ``content`` as it comes; the answer's JSON object."""
        try:
            async with self._http.stream(
                method, path, json=body, content=content, timeout=self._timeout(timeout)
            ) as response:
                failed = not 200 <= response.status_code < 300 or responses.is_web_page(response)
                if failed:
                    answer = await responses.read_start(response, ERROR_BODY_BYTES)
                else:
                    answer = await responses.read_bounded(response, ANSWER_BYTES, path)
        except httpx.HTTPError as error:
            raise self._transport_error(error, answered=False) from None
        if failed:
            raise responses.status_error(response, answer, model)
        text = answer.strip()
        if not text:
            return {}
        try:
            data = safe_json.loads(text)
        except ValueError:
            raise errors.MalformedResponse(
                f"{path} answered with something that is not JSON."
            ) from None
        if not isinstance(data, dict):
            raise errors.MalformedResponse(f"{path} answered with JSON that is not an object.")
        if "error" in data:
            raise errors.ErrorInStream(responses.error_text(data))
        return data

    def _timeout(self, read: float | None) -> httpx.Timeout:
        """Connect quickly; wait ``read`` seconds (None: forever) for the answer."""
        if read == REQUEST_TIMEOUT:
            read = self._request_timeout
        return httpx.Timeout(read, connect=self._connect_timeout)

    def _transport_error(self, error: httpx.HTTPError, *, answered: bool) -> errors.OllamaError:
        return responses.transport_error(
            error, self.base_url, connect_timeout=self._connect_timeout, answered=answered
        )
