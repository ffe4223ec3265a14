"""An async Ollama client over ``httpx.AsyncClient``.

Streams have no read timeout, because loading a large model before the first token
can take minutes. Cancelling a stream (breaking out of it, or cancelling the task
that reads it) closes the HTTP response at once, which is how Ollama is told to
stop generating or pulling: the protocol has no cancel endpoint.

Every failure, whatever the server sends, is raised as an ``OllamaError`` whose
message is a plain sentence: no HTML, no library's wording, the status named.
"""

from __future__ import annotations

import html
import re
import socket
import ssl
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import httpx

from ollama_tui import __version__
from ollama_tui.core import safe_json
from ollama_tui.core.ollama import errors
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

ERROR_TEXT_CHARS = 300
"""An error body is cut to this many characters (a server may send a whole page)."""
ANSWER_BYTES = 64 * 1024 * 1024
"""A non-streamed answer (model lists, show...) larger than this is refused unread."""
ERROR_BODY_BYTES = 1024 * 1024
"""Of an error page, this much is read, at most."""

Think = bool | str
KeepAlive = int | float | str
T = TypeVar("T")


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
        models = [ModelSummary.from_json(m) for m in _list_of_dicts(data.get("models"))]
        return _unique(models, lambda model: model.name)

    async def show(self, model: str) -> ModelInfo:
        data = await self._json("POST", "/api/show", {"model": model}, model=model)
        return ModelInfo.from_json(model, data)

    async def running(self) -> list[RunningModel]:
        data = await self._json("GET", "/api/ps")
        models = [RunningModel.from_json(m) for m in _list_of_dicts(data.get("models"))]
        return _unique(models, lambda model: model.name)

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
        return _text(data, "done_reason")

    async def unload(self, model: str) -> str:
        """Unload ``model`` now (``keep_alive`` 0); returns ``"unload"``."""
        body = {"model": model, "messages": [], "keep_alive": 0}
        data = await self._json("POST", "/api/chat", body, model=model)
        return _text(data, "done_reason")

    async def embed(self, model: str, inputs: str | Sequence[str]) -> Embeddings:
        body = {"model": model, "input": inputs if isinstance(inputs, str) else list(inputs)}
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
        return self._generation_stream("/api/generate", body, model)

    async def pull(
        self, model: str, *, insecure: bool = False
    ) -> AsyncGenerator[PullProgress, None]:
        """Stream pull progress. An in-stream error raises ``ErrorInStream``."""
        body: dict[str, Any] = {"model": model, "stream": True}
        if insecure:
            body["insecure"] = True
        finished = False
        try:
            async with self._stream("POST", "/api/pull", body, model) as lines:
                async for data in lines:
                    if "error" in data:
                        raise errors.ErrorInStream(_error_text(data))
                    progress = PullProgress.from_json(data)
                    finished = finished or progress.status == "success"
                    yield progress
        except errors.OllamaError:
            raise
        except Exception as error:  # whatever else the server's reply set off
            message = f"The pull's progress could not be read ({type(error).__name__})."
            raise errors.MalformedResponse(message) from None
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
                if not 200 <= response.status_code < 300 or _is_web_page(response):
                    page = await _read_start(response, ERROR_BODY_BYTES)
                    raise _status_error(response, page, model)
                yield iter_objects(response.aiter_bytes())
        except NDJSONError as error:  # raised where the objects are read, in the caller
            raise errors.MalformedResponse(f"The server sent {error}.") from None
        except httpx.HTTPError as error:
            raise self._transport_error(error, answered) from None

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
            async with self._http.stream(
                method, path, json=body, timeout=self._timeout(timeout)
            ) as response:
                failed = not 200 <= response.status_code < 300 or _is_web_page(response)
                if failed:
                    answer = await _read_start(response, ERROR_BODY_BYTES)
                else:
                    answer = await _read_bounded(response, ANSWER_BYTES, path)
        except httpx.HTTPError as error:
            raise self._transport_error(error, answered=False) from None
        if failed:
            raise _status_error(response, answer, model)
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
            raise errors.ErrorInStream(_error_text(data))
        return data

    def _timeout(self, read: float | None) -> httpx.Timeout:
        """Connect quickly; wait ``read`` seconds (None: forever) for the answer."""
        if read == REQUEST_TIMEOUT:
            read = self._request_timeout
        return httpx.Timeout(read, connect=self._connect_timeout)

    def _transport_error(self, error: httpx.HTTPError, answered: bool) -> errors.OllamaError:
        """The failure in our words: httpx's own wording ("peer closed connection
        without sending complete message body") means nothing to a user. ``answered``:
        whether the server had begun its answer (a stream's status and headers)."""
        if isinstance(error, httpx.ConnectTimeout):
            reason = f"no answer within {self._connect_timeout:g} s"
            return errors.Unreachable(self.base_url, reason)
        if isinstance(error, httpx.ConnectError):
            return errors.Unreachable(self.base_url, _connect_failure(error))
        if isinstance(error, httpx.UnsupportedProtocol):
            return errors.Unreachable(
                self.base_url, "the address must start with http:// or https://"
            )
        if isinstance(error, httpx.ReadError | httpx.RemoteProtocolError | httpx.WriteError):
            if not answered and isinstance(error, httpx.RemoteProtocolError):
                return errors.StreamEndedEarly(
                    f"The server at {self.base_url} closed the connection without a proper "
                    "answer. Is it Ollama?"
                )
            return errors.StreamEndedEarly(
                f"The connection to {self.base_url} closed before the reply was complete."
            )
        if isinstance(error, httpx.TimeoutException):
            return errors.Unreachable(self.base_url, "the server did not answer in time")
        if isinstance(error, httpx.DecodingError):
            return errors.MalformedResponse(
                "The server's reply could not be decoded (its compression is broken)."
            )
        if isinstance(error, httpx.ProxyError):
            return errors.Unreachable(self.base_url, "the proxy refused the connection")
        return errors.Unreachable(self.base_url, f"the request failed ({type(error).__name__})")


def _is_web_page(response: httpx.Response) -> bool:
    return "text/html" in response.headers.get("content-type", "").lower()


_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def _page_title(body: bytes) -> str:
    match = _TITLE.search(body[:65536])
    if match is None:
        return ""
    text = html.unescape(match.group(1).decode("utf-8", errors="replace"))
    return " ".join(text.split())[:120]


async def _read_bounded(response: httpx.Response, limit: int, path: str) -> bytes:
    """The body, or ``MalformedResponse`` once it passes ``limit``: a server sending
    without end would otherwise fill the memory."""
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > limit:
            raise errors.MalformedResponse(
                f"{path} answered with more than {limit // 2**20} MiB; it was not read."
            )
    return bytes(body)


async def _read_start(response: httpx.Response, limit: int) -> bytes:
    """The body's first ``limit`` bytes: enough to explain an error, whatever its size."""
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk[: limit - len(body)]
        if len(body) >= limit:
            break
    return bytes(body)


def _status_error(response: httpx.Response, body: bytes, model: str) -> errors.HTTPError:
    status = response.status_code
    if 300 <= status < 400:
        return errors.Redirected(status, _without_credentials(response.headers.get("location", "")))
    message, signin_url = "", None
    try:
        data = safe_json.loads(body)
    except ValueError:
        data = None
    if isinstance(data, dict):
        message = _error_text(data)
        url = data.get("signin_url")
        signin_url = url if isinstance(url, str) else None
    elif _is_web_page(response) or body.lstrip()[:1] == b"<":
        if status >= 500:
            return errors.ServerError(status, "", web_page=_page_title(body))
        return errors.NotOllama(status, _page_title(body))
    elif body.strip():
        message = " ".join(body[:ERROR_TEXT_CHARS].decode("utf-8", errors="replace").split())
    message = message[:ERROR_TEXT_CHARS]
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
    return errors.HTTPError(
        status,
        f"The server answered {errors.status_text(status)}" + (f": {message}" if message else "."),
    )


def _without_credentials(url: str) -> str:
    """``url`` with any ``user:password@`` taken out, for showing it."""
    return re.sub(r"(?<=//)[^/@]*@", "", url)


def _connect_failure(error: Exception) -> str:
    """Why a connection failed, from the OS error underneath httpx's."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, socket.gaierror):
            return "the host name could not be found"
        if isinstance(cause, ConnectionRefusedError):
            return "nothing is listening there (connection refused)"
        if isinstance(cause, ssl.SSLError):
            return "the secure (https) connection failed; does the server use https?"
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror.lower()
        cause = cause.__cause__ or cause.__context__
    return "the connection failed"


def _error_text(data: Mapping[str, Any]) -> str:
    """The server's ``{"error": ...}``, as a sentence however odd its value."""
    value = data.get("error")
    if isinstance(value, str) and value.strip():
        text = value.strip()
    elif value is None or value == "":
        text = "The server reported an error without saying what it was."
    elif isinstance(value, bool | int | float):
        text = f"The server reported an error: {value}"
    else:
        # A table or a list, perhaps nested as deep as JSON allows: named, not printed.
        text = f"The server reported an error as a JSON {type(value).__name__}."
    return text[:ERROR_TEXT_CHARS]


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def _unique(items: list[T], name: Callable[[T], str]) -> list[T]:
    """The first item of each name, and none without one: lists keyed by name (the
    picker, the models table) cannot hold the same name twice."""
    seen: set[str] = set()
    kept = []
    for item in items:
        key = name(item)
        if key and key not in seen:
            seen.add(key)
            kept.append(item)
    return kept


def _list_of_dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _without_none(**fields: Any) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not None}
