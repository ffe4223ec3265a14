"""Typed errors that a UI can explain in plain words."""

from __future__ import annotations

from http import HTTPStatus

SERVE_HINT = "Is `ollama serve` running? Is OLLAMA_HOST (or --host) right?"


class OllamaError(Exception):
    """Base for every error the client raises. ``str()`` is a plain sentence."""

    title = "Ollama error"
    hint = ""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def explain(self) -> str:
        """The message followed by the hint on what to do, if there is one."""
        return f"{self.message}\n{self.hint}" if self.hint else self.message


class Unreachable(OllamaError):
    """No connection could be made: refused, DNS failure or connect timeout."""

    title = "Ollama is not reachable"
    hint = SERVE_HINT

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"Cannot connect to Ollama at {url}: {reason}.")
        self.url = url
        self.reason = reason


def status_text(status: int) -> str:
    """``502 Bad Gateway``: the number and, when it has one, its name."""
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


class HTTPError(OllamaError):
    """The server answered with an error status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.title = f"{self.title} ({status})"


class Redirected(HTTPError):
    """A 3xx answer: a proxy or a web server, not Ollama, is at that address."""

    title = "The server redirected the request"
    hint = "Point OLLAMA_HOST (or --host) at the address Ollama itself answers on."

    def __init__(self, status: int, location: str) -> None:
        where = f" to {location}" if location else ""
        super().__init__(
            status,
            f"The server answered {status_text(status)}, a redirect{where}. "
            "ollama-tui does not follow redirects.",
        )


class BadRequest(HTTPError):
    title = "Ollama refused the request"

    def __init__(self, message: str) -> None:
        super().__init__(400, message or "The server rejected the request (400).")


class Unauthorized(HTTPError):
    title = "Not signed in"
    hint = "Set OLLAMA_API_KEY, or run `ollama signin` on the server for cloud models."

    def __init__(self, message: str, signin_url: str | None = None) -> None:
        super().__init__(401, message or "The server requires authorisation (401).")
        self.signin_url = signin_url


class Forbidden(HTTPError):
    title = "Ollama refused the connection"
    hint = (
        "Ollama only accepts requests whose Host header names this machine. Behind a "
        "reverse proxy or tunnel, have it rewrite the Host header to localhost:11434, "
        "or set OLLAMA_ORIGINS / OLLAMA_HOST on the server."
    )

    def __init__(self, message: str = "") -> None:
        super().__init__(403, message or "The server answered 403 Forbidden.")


class ModelNotFound(HTTPError):
    title = "Model not installed"

    def __init__(self, model: str, message: str = "") -> None:
        text = f"The model '{model}' is not installed on this server." if model else message
        super().__init__(404, text or "Not found (404).")
        self.model = model
        self.server_message = message
        self.hint = f"Pull it first: `ollama pull {model}`." if model else ""


PROXY_HINT = "A proxy or another web server may be in the way: check OLLAMA_HOST (or --host)."


def web_page_text(status: int, page_title: str) -> str:
    about = f" (“{page_title}”)" if page_title else ""
    return f"The server answered {status_text(status)} with a web page{about}."


class ServerError(HTTPError):
    title = "Ollama failed"

    def __init__(self, status: int, message: str, *, web_page: str | None = None) -> None:
        """``web_page``: the title of the HTML page sent instead of Ollama's JSON."""
        if web_page is not None:
            text = web_page_text(status, web_page)
            self.hint = PROXY_HINT
        elif message:
            text = f"Ollama answered {status}: {message}"
        else:
            text = f"The server answered {status_text(status)}."
        super().__init__(status, text)
        if status == 503:
            self.hint = "The server is busy; try again in a moment."


class NotOllama(HTTPError):
    """An answer that is a web page (another web server, a captive portal)."""

    title = "This is not Ollama's answer"
    hint = PROXY_HINT

    def __init__(self, status: int, page_title: str) -> None:
        super().__init__(status, web_page_text(status, page_title))


class StreamFailed(OllamaError):
    """A stream stopped before ``done``: an error line, a dropped connection, or bad data.

    The text received so far is kept in ``partial_content`` and ``partial_thinking``.
    """

    title = "The reply was interrupted"

    def __init__(self, message: str, partial_content: str = "", partial_thinking: str = "") -> None:
        super().__init__(message)
        self.partial_content = partial_content
        self.partial_thinking = partial_thinking


class ErrorInStream(StreamFailed):
    """The server reported ``{"error": ...}`` inside a 200 stream."""


class StreamEndedEarly(StreamFailed):
    """The connection ended (cleanly or not) before the final ``done`` chunk."""

    hint = SERVE_HINT


class MalformedResponse(StreamFailed):
    """The server sent something that is not the JSON the protocol promises."""

    title = "Unexpected reply from the server"
