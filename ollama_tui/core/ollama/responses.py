"""Reading an Ollama server's HTTP answers and judging its failures.

Bodies are read within a limit, so a server sending without end cannot fill the
memory. A failed status, an HTML page or a transport error becomes an
``OllamaError`` whose message is a plain sentence: no HTML, no library's wording,
the status named. JSON fields are read leniently: a value of the wrong type counts
as missing.
"""

from __future__ import annotations

import html
import re
import socket
import ssl
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import httpx

from ollama_tui.core import safe_json
from ollama_tui.core.ollama import errors

ERROR_TEXT_CHARS = 300
"""An error body is cut to this many characters (a server may send a whole page)."""

T = TypeVar("T")


def is_web_page(response: httpx.Response) -> bool:
    return "text/html" in response.headers.get("content-type", "").lower()


async def read_bounded(response: httpx.Response, limit: int, path: str) -> bytes:
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


async def read_start(response: httpx.Response, limit: int) -> bytes:
    """The body's first ``limit`` bytes: enough to explain an error, whatever its size."""
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk[: limit - len(body)]
        if len(body) >= limit:
            break
    return bytes(body)


def status_error(response: httpx.Response, body: bytes, model: str) -> errors.HTTPError:
    """The failure a status says, in words from ``body`` (the start of the answer)
    when it has any; ``model`` is named when the status is 404."""
    status = response.status_code
    if 300 <= status < 400:
        return errors.Redirected(status, _without_credentials(response.headers.get("location", "")))
    message, signin_url = "", None
    try:
        data = safe_json.loads(body)
    except ValueError:
        data = None
    if isinstance(data, dict):
        message = error_text(data)
        url = data.get("signin_url")
        signin_url = url if isinstance(url, str) else None
    elif is_web_page(response) or body.lstrip()[:1] == b"<":
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


def transport_error(
    error: httpx.HTTPError, base_url: str, *, connect_timeout: float, answered: bool
) -> errors.OllamaError:
    """The failure in our words: httpx's own wording ("peer closed connection
    without sending complete message body") means nothing to a user. ``answered``:
    whether the server had begun its answer (a stream's status and headers)."""
    if isinstance(error, httpx.ConnectTimeout):
        return errors.Unreachable(base_url, f"no answer within {connect_timeout:g} s")
    if isinstance(error, httpx.ConnectError):
        return errors.Unreachable(base_url, _connect_failure(error))
    if isinstance(error, httpx.UnsupportedProtocol):
        return errors.Unreachable(base_url, "the address must start with http:// or https://")
    if isinstance(error, httpx.ReadError | httpx.RemoteProtocolError | httpx.WriteError):
        if not answered and isinstance(error, httpx.RemoteProtocolError):
            return errors.StreamEndedEarly(
                f"The server at {base_url} closed the connection without a proper "
                "answer. Is it Ollama?"
            )
        return errors.StreamEndedEarly(
            f"The connection to {base_url} closed before the reply was complete."
        )
    if isinstance(error, httpx.TimeoutException):
        return errors.Unreachable(base_url, "the server did not answer in time")
    if isinstance(error, httpx.DecodingError):
        return errors.MalformedResponse(
            "The server's reply could not be decoded (its compression is broken)."
        )
    if isinstance(error, httpx.ProxyError):
        return errors.Unreachable(base_url, "the proxy refused the connection")
    return errors.Unreachable(base_url, f"the request failed ({type(error).__name__})")


def error_text(data: Mapping[str, Any]) -> str:
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


def text_field(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def list_of_dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def unique(items: list[T], name: Callable[[T], str]) -> list[T]:
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


_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def _page_title(body: bytes) -> str:
    match = _TITLE.search(body[:65536])
    if match is None:
        return ""
    text = html.unescape(match.group(1).decode("utf-8", errors="replace"))
    return " ".join(text.split())[:120]


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
