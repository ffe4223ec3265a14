import base64

import pytest

from ollama_tui.cli.main import make_app
from ollama_tui.core.config import resolve_config
from ollama_tui.core.ollama.host import credentials, parse_host
from ollama_tui.emulator import OllamaEmulator
from tests.chat_helpers import wait_until


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "http://127.0.0.1:11434"),
        ("", "http://127.0.0.1:11434"),
        ("   ", "http://127.0.0.1:11434"),
        ("example.com", "http://example.com:11434"),
        ("example.com:56789", "http://example.com:56789"),
        (":56789", "http://127.0.0.1:56789"),
        ("http://example.com", "http://example.com:80"),
        ("https://example.com", "https://example.com:443"),
        ("https://example.com:8443", "https://example.com:8443"),
        ("example.com:56789/path/", "http://example.com:56789/path"),
        ("https://box.lan/ollama/api-prefix", "https://box.lan:443/ollama/api-prefix"),
        ("0.0.0.0", "http://127.0.0.1:11434"),
        ("0.0.0.0:9999", "http://127.0.0.1:9999"),
        ("[::]:11434", "http://[::1]:11434"),
        ("[::1]", "http://[::1]:11434"),
        ("[fe80::1]:8080", "http://[fe80::1]:8080"),
        ("http://[2001:db8::5]:7000/x", "http://[2001:db8::5]:7000/x"),
        ('"gpu-box:11434"', "http://gpu-box:11434"),
        ("'gpu-box'", "http://gpu-box:11434"),
        ("gpu-box:notaport", "http://gpu-box:11434"),
        ("gpu-box:99999", "http://gpu-box:11434"),
        ("ollama.com", "https://ollama.com:443"),
        ("HTTPS://Example.com", "https://Example.com:443"),
        ("192.168.1.20", "http://192.168.1.20:11434"),
    ],
)
def test_parse_host_matches_ollama(value: str | None, expected: str) -> None:
    assert parse_host(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://ann:s3cret@proxy.lan/ollama", ("ann", "s3cret")),
        ("http://ann:p%40ss%3Aword@box:8080", ("ann", "p@ss:word")),
        ("ann@box", ("ann", "")),
        ("box:11434", None),
        ("http://box/path@not-userinfo", None),
    ],
)
def test_credentials_are_taken_out_of_the_host(
    value: str, expected: tuple[str, str] | None
) -> None:
    assert credentials(value) == expected
    shown = parse_host(value)
    assert "s3cret" not in shown and "p%40ss" not in shown and "ann" not in shown


async def test_credentials_are_sent_as_basic_auth_and_never_shown(
    emulator: OllamaEmulator,
) -> None:
    host = emulator.url.replace("http://", "http://ann:s%40cret@")
    config = resolve_config(host=host, model="llama3.2:latest", environ={})
    app = make_app(config)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.shared.health.state.connected is True)
        await pilot.press("f1", "escape")
        drawn = app.export_screenshot()
        assert "s@cret" not in drawn and "ann:" not in drawn
    expected = "Basic " + base64.b64encode(b"ann:s@cret").decode()
    assert all(r.headers.get("authorization") == expected for r in emulator.requests)
    assert "s@cret" not in repr(config)
