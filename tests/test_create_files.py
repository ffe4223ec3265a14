"""Creating a model from local files: the emulator's blob endpoints, the client's
upload, the model creator, ``ollama-tui create`` with ``FROM ./model.gguf`` and the
models screen's "Create from Modelfile"."""

from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from textual.app import App
from textual.widgets import Input, Static

from ollama_tui.cli.progress import Progress
from ollama_tui.core.modelfile import parse_modelfile
from ollama_tui.core.ollama import errors
from ollama_tui.core.ollama.client import OllamaClient
from ollama_tui.emulator import OllamaEmulator
from ollama_tui.emulator.models import RawReply
from ollama_tui.services.model_creator import (
    CreateProblem,
    CreateProgress,
    ModelCreator,
    Stage,
)
from ollama_tui.ui.screens.confirm import TextPrompt
from ollama_tui.ui.screens.models_create import CreationProgress
from tests.chat_helpers import app_for, notices, wait_until
from tests.test_cli_models import run, start
from tests.test_models_screen import open_models, rows

WEIGHTS = os.urandom(2_500_000)
"""More than one chunk (1 MiB) of a "GGUF" file."""
ADAPTER = os.urandom(5_000)


def digest_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def model_folder(tmp_path: Path, modelfile: str) -> Path:
    """A Modelfile beside model.gguf and adapter.gguf; the Modelfile's path."""
    (tmp_path / "model.gguf").write_bytes(WEIGHTS)
    (tmp_path / "adapter.gguf").write_bytes(ADAPTER)
    path = tmp_path / "Modelfile"
    path.write_text(modelfile)
    return path


def prompt_title(app: App[Any]) -> str:
    """The title of the text prompt on screen, or "" when none is."""
    screen = app.screen
    return screen.title_text if isinstance(screen, TextPrompt) else ""


def blob_uploads(emulator: OllamaEmulator) -> list[tuple[str, bytes]]:
    return [
        (r.path.rsplit("/", 1)[1], r.body)
        for r in emulator.requests
        if r.method == "POST" and r.path.startswith("/api/blobs/")
    ]


def test_the_emulator_keeps_blobs_by_their_digest(emulator: OllamaEmulator) -> None:
    digest = digest_of(ADAPTER)
    with httpx.Client(base_url=emulator.url) as http:
        assert http.head(f"/api/blobs/{digest}").status_code == 404
        assert http.post(f"/api/blobs/{digest}", content=ADAPTER).status_code == 201
        assert http.head(f"/api/blobs/{digest}").status_code == 200
        assert http.post(f"/api/blobs/{digest}", content=ADAPTER).status_code == 200
        wrong = digest_of(b"something else")
        refused = http.post(f"/api/blobs/{wrong}", content=ADAPTER)
        assert refused.status_code == 400
        assert refused.json()["error"] == f'digest mismatch, expected "{wrong}", got "{digest}"'
        assert http.head(f"/api/blobs/{wrong}").status_code == 404
        assert http.post("/api/blobs/sha256:nothex", content=b"x").status_code == 400
        unknown = http.post(
            "/api/create", json={"model": "m", "files": {"m.gguf": wrong}, "stream": False}
        )
        assert unknown.status_code == 400 and "not found" in unknown.json()["error"]
    assert emulator.blobs == {digest: len(ADAPTER)}


async def test_the_client_uploads_a_file_in_chunks(
    client: OllamaClient, emulator: OllamaEmulator, tmp_path: Path
) -> None:
    path = tmp_path / "model.gguf"
    path.write_bytes(WEIGHTS)
    digest = digest_of(WEIGHTS)
    assert await client.has_blob(digest) is False
    sent: list[int] = []
    await client.upload_blob(digest, path, sent.append)
    assert await client.has_blob(digest) is True
    [upload] = [r for r in emulator.requests if r.method == "POST"]
    assert upload.body == WEIGHTS and upload.headers["transfer-encoding"] == "chunked"
    assert len(sent) == 3 and sent[-1] == len(WEIGHTS)  # 1 MiB at a time
    with pytest.raises(errors.BadRequest, match="digest mismatch"):
        await client.upload_blob(digest_of(b"other"), path)


async def test_a_safetensors_folder_is_uploaded_file_by_file(
    client: OllamaClient, emulator: OllamaEmulator, tmp_path: Path
) -> None:
    folder = tmp_path / "weights"
    folder.mkdir()
    files = {"config.json": b"{}", "model.safetensors": WEIGHTS[:4000]}
    for name, data in {**files, "README.md": b"# not uploaded"}.items():
        (folder / name).write_bytes(data)
    seen: list[CreateProgress] = []
    modelfile = parse_modelfile("FROM ./weights\nSYSTEM Be brief.\n")
    status = await ModelCreator(client).create(
        "st", modelfile, tmp_path, quantize="q8_0", on_progress=seen.append
    )
    assert status == "success"
    assert sorted(blob_uploads(emulator)) == sorted((digest_of(d), d) for d in files.values())
    [request] = emulator.requests_to("/api/create")
    assert request.json == {
        "model": "st",
        "files": {name: digest_of(data) for name, data in files.items()},
        "quantize": "q8_0",
        "system": "Be brief.",
        "stream": True,
    }
    stages = [(event.stage, event.subject) for event in seen]
    assert stages.index((Stage.HASHING, "config.json")) < stages.index(
        (Stage.UPLOADING, "config.json")
    )
    assert (Stage.CREATING, "converting model") in stages
    assert stages[-1] == (Stage.CREATING, "success")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CreateProblem, match=r"holds no \.safetensors or \.gguf file"):
        await ModelCreator(client).create("e", parse_modelfile("FROM ./empty"), tmp_path)


def test_create_uploads_local_files_once_and_quantizes(
    emulator: OllamaEmulator, tmp_path: Path
) -> None:
    modelfile = model_folder(
        tmp_path, "FROM ./model.gguf\nADAPTER adapter.gguf\nPARAMETER temperature 0.3\n"
    )
    made = run(emulator.url, "create", "mine", "-f", str(modelfile), "--quantize", "q4_K_M")
    assert made.returncode == 0, made.stderr
    assert made.stdout == "Created mine.\n"
    uploads = blob_uploads(emulator)
    assert uploads == [(digest_of(WEIGHTS), WEIGHTS), (digest_of(ADAPTER), ADAPTER)]
    [request] = emulator.requests_to("/api/create")
    assert request.json == {
        "model": "mine",
        "files": {"model.gguf": digest_of(WEIGHTS)},
        "adapters": {"adapter.gguf": digest_of(ADAPTER)},
        "quantize": "q4_K_M",
        "parameters": {"temperature": 0.3},
        "stream": True,
    }
    lines = made.stderr.splitlines()
    assert "mine: hashing model.gguf 100% (2.5 MB of 2.5 MB)" in lines
    assert "mine: uploading model.gguf 100% (2.5 MB of 2.5 MB)" in lines
    assert "mine: quantizing F16 model to Q4_K_M 100% (2.5 MB of 2.5 MB)" in lines
    assert f"mine: using existing layer {digest_of(WEIGHTS)[:19]}" in lines  # cut, as ollama
    assert lines[-1] == "mine: success"
    again = run(emulator.url, "create", "mine", "-f", str(modelfile))
    assert again.returncode == 0, again.stderr
    assert len(blob_uploads(emulator)) == 2  # the server had both: asked, not sent again
    assert "mine: model.gguf is on the server already 100% (2.5 MB of 2.5 MB)" in (
        again.stderr.splitlines()
    )
    listed = json.loads(run(emulator.url, "models", "--json").stdout)
    [mine] = [model for model in listed if model["name"] == "mine:latest"]
    assert mine["size"] == len(WEIGHTS)


def test_create_names_what_is_wrong_in_one_sentence(
    emulator: OllamaEmulator, tmp_path: Path
) -> None:
    modelfile = tmp_path / "Modelfile"
    modelfile.write_text("FROM ./missing.gguf\n")
    missing = run(emulator.url, "create", "mine", "-f", str(modelfile))
    assert missing.returncode == 2
    assert missing.stderr == (
        "ollama-tui create: FROM ./missing.gguf: there is no file or folder at "
        f"{tmp_path / 'missing.gguf'}.\n"
    )
    model_folder(tmp_path, "FROM ./model.gguf\nADAPTER ~/lora.gguf\n")
    no_adapter = run(emulator.url, "create", "mine", "-f", str(modelfile))
    assert no_adapter.returncode == 2 and "ADAPTER ~/lora.gguf: there is no file" in (
        no_adapter.stderr
    )
    assert emulator.requests_to("/api/create") == [] and blob_uploads(emulator) == []
    modelfile.write_text("FROM nosuch:1b\n")
    not_installed = run(emulator.url, "create", "mine", "-f", str(modelfile))
    assert not_installed.returncode == 4
    assert "The model 'nosuch:1b' is not installed" in not_installed.stderr
    model_folder(tmp_path, "FROM ./model.gguf\n")
    unknown = run(emulator.url, "create", "mine", "-f", str(modelfile), "-q", "q3_k")
    assert unknown.returncode == 1 and "unsupported quantization type Q3_K" in unknown.stderr


def test_byte_progress_is_a_bar_per_step_or_a_few_log_lines() -> None:
    screen = io.StringIO()
    bar = Progress(screen, 0, "mine", live=True, unit="bytes")
    bar.show("hashing model.gguf", 2_500_000, 2_500_000)
    bar.show("writing manifest")
    bar.close()
    assert "mine: hashing model.gguf" in screen.getvalue() and "2.5/2.5 MB" in screen.getvalue()
    assert "mine: writing manifest" in screen.getvalue()
    log = io.StringIO()
    now = [0.0]
    logged = Progress(log, 0, "mine", live=False, unit="bytes", clock=lambda: now[0])
    for moment, done in ((0.0, 0), (1.0, 1_000), (6.0, 2_000), (6.5, 3_000), (7.0, 4_000)):
        now[0] = moment
        logged.show("uploading model.gguf", done, 4_000)
    logged.show("success")
    assert log.getvalue().splitlines() == [
        "mine: uploading model.gguf 0% (0 B of 4.0 KB)",
        "mine: uploading model.gguf 50% (2.0 KB of 4.0 KB)",  # 5 s on
        "mine: uploading model.gguf 100% (4.0 KB of 4.0 KB)",  # the end
        "mine: success",
    ]


def test_ctrl_c_stops_a_create_cleanly(emulator: OllamaEmulator, tmp_path: Path) -> None:
    modelfile = model_folder(tmp_path, "FROM ./model.gguf\n")
    emulator.respond_raw(
        "/api/create", RawReply.ndjson(b'{"status":"parsing GGUF"}\n', end="stall")
    )
    process = start(emulator.url, "create", "mine", "-f", str(modelfile))
    deadline = time.monotonic() + 30
    while not emulator.holding.is_set() and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr
    assert stderr.splitlines()[-1].startswith("ollama-tui create: cancelled")
    assert "Traceback" not in stderr
    deadline = time.monotonic() + 10
    while emulator.sent[0].outcome != "client hung up" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert emulator.sent[0].outcome == "client hung up"


async def test_the_models_screen_creates_from_a_modelfile(
    emulator: OllamaEmulator, tmp_path: Path
) -> None:
    modelfile = model_folder(tmp_path, "FROM ./model.gguf\nSYSTEM Be brief.\n")
    broken = tmp_path / "Broken"
    broken.write_text("FROM ./model.gguf\nPARAMETER warmth 3\n")
    app = app_for(emulator)
    async with app.run_test(size=(130, 40)) as pilot:
        screen = await open_models(pilot)
        await pilot.press("m")
        await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt))
        await pilot.press(*"pirate", "enter")
        await wait_until(pilot, lambda: "Modelfile for pirate" in prompt_title(app))
        path = app.screen.query_one(Input)
        path.value = str(broken)  # typing a long path key by key takes seconds
        await pilot.press("enter")
        await pilot.pause()
        hint = str(app.screen.query_one("#prompt-hint", Static).render())
        assert "line 2: warmth is not a parameter" in hint  # refused in the prompt
        path.value = str(modelfile)
        await pilot.press("enter")
        await wait_until(pilot, lambda: any("Created pirate" in n.message for n in notices(app)))
        await wait_until(pilot, lambda: "pirate:latest" in str(rows(screen, "#models-table")))
        assert blob_uploads(emulator) == [(digest_of(WEIGHTS), WEIGHTS)]
        [request] = emulator.requests_to("/api/create")
        assert request.json["files"] == {"model.gguf": digest_of(WEIGHTS)}
        assert request.json["system"] == "Be brief."
        assert not screen.query(CreationProgress)

        # Held by the server: the progress shows; then the stream ends without success.
        emulator.respond_raw(
            "/api/create", RawReply.ndjson(b'{"status":"parsing GGUF"}\n', end="stall")
        )
        await pilot.press("m")
        await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt))
        await pilot.press(*"second", "enter")
        await wait_until(pilot, lambda: "Modelfile for second" in prompt_title(app))
        app.screen.query_one(Input).value = str(modelfile)
        await pilot.press("enter")
        await wait_until(pilot, lambda: bool(screen.query(CreationProgress)))
        progress = screen.query_one(CreationProgress)
        await wait_until(pilot, lambda: "parsing GGUF" in str(progress.label.render()))
        assert str(progress.label.render()) == "Creating second: parsing GGUF"
        assert len(blob_uploads(emulator)) == 1  # the server had it: not sent again
        emulator.release()
        await wait_until(pilot, lambda: not screen.query(CreationProgress))
        await wait_until(
            pilot, lambda: any("before the server said" in n.message for n in notices(app))
        )
        assert app.is_running and "second" not in str(rows(screen, "#models-table"))
