"""Turn an ``OLLAMA_HOST`` value into a base URL, the way Ollama itself reads it."""

from __future__ import annotations

import ipaddress
from urllib.parse import unquote, urlsplit

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 11434
DEFAULT_URL = f"http://{DEFAULT_HOST}:{DEFAULT_PORT}"

_SCHEME_PORTS = {"http": 80, "https": 443}


def parse_host(value: str | None) -> str:
    """Return the base URL for an ``OLLAMA_HOST``-style value.

    Accepted forms: a bare host, ``host:port``, ``:port``, ``scheme://host[:port]``,
    any of those followed by a path prefix (kept), and IPv6 addresses in brackets.
    Without a scheme the port defaults to 11434; with one, to the scheme's own port.
    The unspecified addresses 0.0.0.0 and :: mean "listen everywhere" to a server,
    and connecting to them fails on some systems, so they become loopback.
    A port that is not a number in range falls back to the default, as Ollama does.
    """
    text = (value or "").strip().strip("\"'").strip()
    if not text:
        return DEFAULT_URL
    if text == "ollama.com":
        return "https://ollama.com:443"

    if "://" in text:
        scheme = text.split("://", 1)[0].lower()
        default_port = _SCHEME_PORTS.get(scheme, DEFAULT_PORT)
        rest = text.split("://", 1)[1]
    else:
        scheme = "http"
        default_port = DEFAULT_PORT
        rest = text
    if scheme not in _SCHEME_PORTS:
        scheme = "http"

    netloc, _, path = rest.partition("/")
    host, port = _split_host_port(netloc, default_port)
    host = _connectable(host or DEFAULT_HOST)
    path = path.rstrip("/")
    return f"{scheme}://{host}:{port}" + (f"/{path}" if path else "")


def credentials(value: str | None) -> tuple[str, str] | None:
    """The ``user:password@`` of an ``OLLAMA_HOST``-style value (percent-decoded), or
    None. ``parse_host`` leaves them out of the URL, which is shown on screen; the
    client sends them as Basic auth, as a proxy in front of Ollama expects."""
    text = (value or "").strip().strip("\"'").strip()
    rest = text.split("://", 1)[1] if "://" in text else text
    netloc = rest.partition("/")[0]
    if "@" not in netloc:
        return None
    user, _, password = netloc.rpartition("@")[0].partition(":")
    return unquote(user), unquote(password)


def _split_host_port(netloc: str, default_port: int) -> tuple[str, int]:
    # Any userinfo ("user:pass@") is left out: see ``credentials``.
    netloc = netloc.rpartition("@")[2]
    if netloc.startswith("["):
        host, _, after = netloc[1:].partition("]")
        port_text = after[1:] if after.startswith(":") else ""
        return f"[{host}]", _port(port_text, default_port)
    if netloc.count(":") > 1:
        # A bare IPv6 address without brackets: no port can be told apart.
        return f"[{netloc}]", default_port
    host, _, port_text = netloc.partition(":")
    return host, _port(port_text, default_port)


def _port(text: str, default: int) -> int:
    try:
        port = urlsplit(f"//h:{text}").port if text else None
    except ValueError:
        return default
    return port if port else default


def _connectable(host: str) -> str:
    bare = host.strip("[]")
    try:
        address = ipaddress.ip_address(bare)
    except ValueError:
        return host
    if address.is_unspecified:
        return "127.0.0.1" if address.version == 4 else "[::1]"
    return host
