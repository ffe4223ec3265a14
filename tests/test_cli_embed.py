"""``ollama-tui embed``, run as the installed console script against the emulator."""

from __future__ import annotations

import json
import struct
import subprocess
from pathlib import Path

from ollama_tui.emulator import OllamaEmulator
from tests.test_cli_models import run

MODEL = "nomic-embed-text:latest"


def embed(
    emulator: OllamaEmulator, *args: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return run(emulator.url, "embed", *args, stdin=stdin)


def test_texts_become_json_lines_in_batches(emulator: OllamaEmulator, tmp_path: Path) -> None:
    source = tmp_path / "texts.jsonl"
    source.write_text('{"id": "a", "text": "first"}\n\n{"id": 2, "text": "second"}\nthird\n')
    done = embed(emulator, "-m", MODEL, "-f", str(source), "--batch", "2", "--dimensions", "3")
    assert done.returncode == 0, done.stderr
    items = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(item.get("id"), item["text"]) for item in items] == [
        ("a", "first"),
        ("2", "second"),
        (None, "third"),
    ]
    assert all(len(item["embedding"]) == 3 for item in items)
    requests = [request.json for request in emulator.requests_to("/api/embed")]
    assert [request["input"] for request in requests] == [["first", "second"], ["third"]]
    assert requests[0]["dimensions"] == 3
    piped = embed(emulator, "-m", MODEL, stdin="one\ntwo\n")
    assert len(piped.stdout.splitlines()) == 2


def test_npy_is_numpy_s_file_format(emulator: OllamaEmulator, tmp_path: Path) -> None:
    target = tmp_path / "vectors.npy"
    done = embed(emulator, "-m", MODEL, "--format", "npy", "-o", str(target), "ab", "abcd")
    assert done.returncode == 0, done.stderr
    data = target.read_bytes()
    assert data[:8] == b"\x93NUMPY\x01\x00"
    (length,) = struct.unpack("<H", data[8:10])
    header = data[10 : 10 + length].decode("latin-1")
    assert (10 + length) % 64 == 0 and header.endswith("\n")
    assert "'shape': (2, 3)" in header and "'descr': '<f4'" in header
    values = struct.unpack("<6f", data[10 + length :])
    assert values[3:] == (0.03999999910593033, 0.5, -0.25)  # "abcd": the emulator's vector


def test_embed_refuses_what_it_cannot_do(emulator: OllamaEmulator) -> None:
    chat_model = embed(emulator, "-m", "llama3.2:latest", "hi")
    assert chat_model.returncode == 2 and "not an embedding model" in chat_model.stderr
    nothing = embed(emulator, "-m", MODEL)
    assert nothing.returncode == 2 and "no texts" in nothing.stderr
    no_file = embed(emulator, "-m", MODEL, "--format", "npy", "hi")
    assert no_file.returncode == 2 and "-o FILE" in no_file.stderr
    assert emulator.requests_to("/api/embed") == []
