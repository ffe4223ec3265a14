import pytest

from ollama_tui.ollama.host import parse_host


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
