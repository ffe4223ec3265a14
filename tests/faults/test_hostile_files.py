"""Hostile files: history, config, themes and presets that are broken, huge, binary,
linked, FIFOs or from the future. Each is listed or reported, nothing is fatal, and no
file is ever modified (checked by hashing the folder before and after)."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pytest
from textual.widgets import DataTable

from ollama_tui.cli.main import make_app
from ollama_tui.core import paths
from ollama_tui.core.config import Config, resolve_config
from ollama_tui.core.history import listing as listing_module
from ollama_tui.core.history import store as store_module
from ollama_tui.core.history.codec import encode, to_data
from ollama_tui.core.history.store import HistoryError, HistoryStore
from ollama_tui.core.presets import list_presets
from ollama_tui.emulator import OllamaEmulator
from ollama_tui.ui.screens.history import HistoryScreen
from ollama_tui.ui.themes import load_themes
from tests.chat_helpers import notices, wait_until
from tests.test_history import sample


def fingerprint(folder: Path) -> dict[str, str]:
    """Every entry of ``folder`` (links and FIFOs by what they are, files by content)."""
    result = {}
    for entry in sorted(folder.iterdir()):
        if entry.name == store_module.LOCKS:
            continue
        if entry.is_symlink():
            result[entry.name] = f"link -> {os.readlink(entry)}"
        elif entry.is_fifo():
            result[entry.name] = "fifo"
        elif entry.is_dir():
            result[entry.name] = "dir"
        else:
            result[entry.name] = hashlib.sha256(entry.read_bytes()).hexdigest()
    return result


def hostile_history(folder: Path, outside: Path) -> dict[str, str]:
    """A folder of every kind of bad file, plus one good one; returns name -> why."""
    folder.mkdir(parents=True)
    good = sample()
    (folder / f"{good.id}.toml").write_bytes(encode(to_data(good), "toml"))
    elsewhere = sample()
    outside.write_bytes(encode(to_data(elsewhere), "toml"))
    twin = sample()
    twin_data = to_data(twin)
    future = {**to_data(sample()), "format": 99}
    wrong_types = {**to_data(sample()), "messages": "not a list"}
    cases = {
        "truncated.toml": b'format = 1\nid = "truncated"\ntitle = "cut',
        "binary.json": os.urandom(2048),
        "notutf8.toml": b'format = 1\nid = "notutf8"\ntitle = "\xff\xfe"\n',
        "future.json": encode({**future, "id": "future"}, "json"),
        "wrongtypes.json": encode({**wrong_types, "id": "wrongtypes"}, "json"),
        "deep.json": b"[" * 100_000 + b"]" * 100_000,
        f"{twin.id}.toml": encode(twin_data, "toml"),
        f"{twin.id}.json": encode(twin_data, "json"),
        "huge.toml": b"# " + b"x" * 4096 + b"\n",
    }
    for name, raw in cases.items():
        (folder / name).write_bytes(raw)
    (folder / f"{elsewhere.id}.toml").symlink_to(outside)
    (folder / "dangling.toml").symlink_to(folder / "nowhere.toml")
    os.mkfifo(folder / "fifo.toml")
    (folder / "folder.json").mkdir()
    return {"good": good.id, "twin": twin.id, "linked": elsewhere.id}


@pytest.fixture
def small_file_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(listing_module, "MAX_FILE_BYTES", 4000)


def test_the_store_lists_every_hostile_file_and_changes_none(
    tmp_path: Path, small_file_limit: None
) -> None:
    folder, outside = tmp_path / "history", tmp_path / "outside.toml"
    ids = hostile_history(folder, outside)
    before, outside_before = fingerprint(folder), outside.read_bytes()
    store = HistoryStore(folder)
    listings = store.listings()
    done = threading.Event()

    def search() -> None:
        store.search("x")
        done.set()

    threading.Thread(target=search, daemon=True).start()
    assert done.wait(20), "searching blocked (on the FIFO?)"
    by_name = {item.path.name: item for item in listings}
    assert set(by_name) == set(before) - {"folder.json"}
    assert not by_name[f"{ids['good']}.toml"].problem
    assert "symbolic link" in by_name[f"{ids['linked']}.toml"].problem
    assert "symbolic link" in by_name["dangling.toml"].problem
    assert "not a regular file" in by_name["fifo.toml"].problem
    assert "limit" in by_name["huge.toml"].problem
    assert "newer" in by_name["future.json"].problem
    twins = [by_name[f"{ids['twin']}.toml"], by_name[f"{ids['twin']}.json"]]
    assert [bool(twin.problem) for twin in twins] == [False, True]
    assert "has its id" in twins[1].problem
    for name in ("truncated.toml", "binary.json", "notutf8.toml", "deep.json"):
        assert by_name[name].problem, name
    with pytest.raises(OSError):
        store.load(ids["linked"])
    # (The twin's id belongs to its readable file, which writing it would change.)
    refusable = [
        listing
        for listing in listings
        if listing.problem and store.path_for(listing.id) == listing.path
    ]
    assert len(refusable) >= 5
    for listing in refusable:
        with pytest.raises(HistoryError):
            store.save_data(listing.id, to_data(sample()))
        with pytest.raises(HistoryError):
            store.delete(listing.id)
    assert fingerprint(folder) == before
    assert outside.read_bytes() == outside_before


async def test_the_history_browser_shows_them_all(
    emulator: OllamaEmulator, tmp_path: Path, small_file_limit: None
) -> None:
    folder = paths.conversations_dir()
    hostile_history(folder, tmp_path / "outside.toml")
    before = fingerprint(folder)
    app = make_app(Config(host=emulator.url, model="llama3.2:latest", history_dir=folder))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f9")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen))

        def rows() -> int:
            return app.screen.query_one("#history-table", DataTable).row_count

        await wait_until(pilot, lambda: rows() == len(before) - 1)

        def refusals() -> int:
            return sum(
                "cannot be opened" in n.message or "Cannot open" in n.title for n in notices(app)
            )

        opened = 0
        for row in range(rows()):  # try to open every row
            refused = refusals()
            await pilot.press("enter")
            await wait_until(
                pilot,
                lambda refused=refused: (  # type: ignore[misc]
                    not isinstance(app.screen, HistoryScreen) or refusals() > refused
                ),
            )
            if not isinstance(app.screen, HistoryScreen):
                opened += 1
                await pilot.press("f9")
                await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen))
                await wait_until(pilot, lambda: rows() == len(before) - 1)
                await pilot.press(*["down"] * row)
            await pilot.press("down")
        # The good file and the readable twin open; every other row says why not.
        assert opened == 2
        assert refusals() == len(before) - 1 - opened
        assert app.is_running
    assert fingerprint(folder) == before


def test_a_config_file_that_is_a_fifo_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    result: list[Config] = []
    thread = threading.Thread(
        target=lambda: result.append(resolve_config(config_path=fifo, environ={})), daemon=True
    )
    thread.start()
    thread.join(10)
    assert result, "reading the config blocked"
    assert any("not a regular file" in problem for problem in result[0].problems)


@pytest.mark.parametrize(
    "content",
    [b"\x00\x01\x02garbage", b'name = "x"\n[colors]\nprimary = 5\n', b"[" * 50_000, b"\xff\xfe"],
)
def test_garbage_themes_and_presets_are_skipped_with_a_reason(
    tmp_path: Path, content: bytes
) -> None:
    themes_dir, presets_dir = tmp_path / "themes", tmp_path / "presets"
    for folder in (themes_dir, presets_dir):
        folder.mkdir()
        (folder / "bad.toml").write_bytes(content)
        os.mkfifo(folder / "fifo.toml")
    themes, theme_problems = load_themes(themes_dir)
    assert any("bad.toml" in problem for problem in theme_problems)
    assert any("fifo.toml" in problem for problem in theme_problems)
    presets, preset_problems = list_presets(presets_dir)
    assert any("fifo.toml" in problem for problem in preset_problems)
    if b"[colors]" in content:  # valid TOML: a preset named "x" with nothing it knows
        assert [p.settings.to_dict() for p in presets if p.name == "x"] == [{}]
    else:
        assert any("bad.toml" in problem for problem in preset_problems)
    assert {theme.name for theme in themes} >= {"ollama-dark"}
    assert presets  # the bundled ones are still there


def test_a_theme_name_with_markup_or_escapes_is_refused(tmp_path: Path) -> None:
    (tmp_path / "evil.toml").write_text(
        'name = "[/x]\\u001b]0;pwned\\u0007"\n[colors]\nprimary = "#ffffff"\n'
    )
    themes, problems = load_themes(tmp_path)
    assert all("pwned" not in theme.name for theme in themes)
    assert any("evil.toml" in problem and "name" in problem for problem in problems)


def test_paths_are_untouched_when_the_user_config_is_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "ollama-tui.toml"
    real.parent.mkdir()
    real.write_text('# mine\ntheme = "ember"\n')
    link = paths.config_file()
    link.parent.mkdir(parents=True)
    link.symlink_to(real)
    config = resolve_config(config_path=link, environ={})
    from ollama_tui.core.config import remember

    assert remember(config, last_model="qwen3:8b") is None
    assert link.is_symlink()  # the link is kept, and what it names is updated
    assert "# mine" in real.read_text() and 'last_model = "qwen3:8b"' in real.read_text()
