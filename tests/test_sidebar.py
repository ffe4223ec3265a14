"""The settings sidebar and the context meter, against the emulator."""

from __future__ import annotations

import json

from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Select, Static, TextArea

from ollama_tui.core import paths
from ollama_tui.core.presets import list_presets, save_preset
from ollama_tui.core.settings import ChatSettings
from ollama_tui.emulator import ChatReply, OllamaEmulator
from ollama_tui.emulator.models import Running
from ollama_tui.services.health import ConnectionState
from ollama_tui.ui.app import ServiceNews
from ollama_tui.ui.screens.confirm import TextPrompt
from ollama_tui.ui.screens.model_picker import ModelPicker
from ollama_tui.ui.screens.overflow import OverflowDialog
from ollama_tui.ui.screens.presets import PresetPicker
from ollama_tui.ui.screens.request_view import RequestView
from ollama_tui.ui.widgets.context_meter import ContextMeter
from ollama_tui.ui.widgets.sidebar import Field, SettingsSidebar
from tests.chat_helpers import (
    app_for,
    chat_of,
    meter_settled,
    notices,
    screen_settled,
    send,
    status_text,
    turn_text,
    wait_until,
)
from tests.test_palette import run_from_palette


def field(sidebar: SettingsSidebar, key: str) -> Field:
    return sidebar.query_one(f"#field-{key}", Field)


def set_field(sidebar: SettingsSidebar, key: str, text: str) -> None:
    """Edit a field the way typing does: through the editor's Changed event."""
    editor = field(sidebar, key).editor
    if isinstance(editor, TextArea):
        editor.text = text
    else:
        editor.value = text


async def choose_preset(pilot: Pilot[None], name: str) -> None:
    """In the preset picker, once it is up, the preset called ``name``."""
    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, PresetPicker))
    picker = app.screen
    assert isinstance(picker, PresetPicker)
    index = next(i for i, p in enumerate(picker.presets) if p.name == name)
    await pilot.press(*["down"] * index, "enter")


async def open_sidebar(pilot: object) -> SettingsSidebar:
    chat = chat_of(pilot)  # type: ignore[arg-type]
    await wait_until(pilot, lambda: chat.conversation.model != "")  # type: ignore[arg-type]
    await pilot.press("f3")  # type: ignore[attr-defined]
    sidebar = chat.settings.sidebar
    assert sidebar is not None and sidebar.has_class("-open")
    return sidebar


async def tab_to(pilot: Pilot[None], target: Widget | str, limit: int = 60) -> None:
    """Press Tab until ``target`` (a widget, or a widget's id) has the focus, as a
    user moves it."""
    for _ in range(limit):
        focused = pilot.app.focused
        if focused is target or (focused is not None and focused.id == target):
            return
        await pilot.press("tab")
    raise AssertionError(f"Tab never reached {target}")


async def test_blank_fields_are_not_sent_and_set_ones_are_typed(emulator: OllamaEmulator) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(150, 50)) as pilot:
        sidebar = await open_sidebar(pilot)
        assert isinstance(app.focused, TextArea)  # the system prompt, ready to type
        await pilot.press(*"Be terse.")
        set_field(sidebar, "temperature", "1")
        set_field(sidebar, "top_k", "20")
        set_field(sidebar, "seed", "42")
        set_field(sidebar, "stop", "</s>\n\\n\\nUser:")
        set_field(sidebar, "num_ctx", "8192")
        set_field(sidebar, "keep_alive", "1h30m")
        set_field(sidebar, "format", '{"type": "object", "properties": {"a": {"type": "string"}}}')
        await pilot.pause()
        assert field(sidebar, "temperature").has_class("-modified")
        assert not field(sidebar, "top_p").has_class("-modified")
        await pilot.press("f3")
        await send(pilot, "hi")
        body = emulator.chat_requests()[-1]
        assert body["messages"][0] == {"role": "system", "content": "Be terse."}
        assert body["options"] == {
            "temperature": 1.0,
            "top_k": 20,
            "seed": 42,
            "stop": ["</s>", "\n\nUser:"],
            "num_ctx": 8192,
        }
        assert isinstance(body["options"]["temperature"], float)
        assert isinstance(body["options"]["top_k"], int)
        assert body["keep_alive"] == "1h30m"
        assert body["format"] == {"type": "object", "properties": {"a": {"type": "string"}}}
        assert "think" not in body  # llama3.2 cannot think
        assert "truncate" not in body


async def test_seconds_keep_alive_json_format_truncate_and_think(emulator: OllamaEmulator) -> None:
    app = app_for(emulator, model="qwen3:8b")
    async with app.run_test(size=(150, 50)) as pilot:
        chat = chat_of(pilot)
        await wait_until(pilot, lambda: app.shared.catalog.info("qwen3:8b") is not None)
        sidebar = await open_sidebar(pilot)
        set_field(sidebar, "keep_alive", "300")
        set_field(sidebar, "format", "json")
        sidebar.query_one("#truncate", Select).value = "false"
        sidebar.query_one("#think", Select).value = "false"
        await pilot.pause()
        chat.composer.focus()
        await send(pilot, "hi")
        body = emulator.chat_requests()[-1]
        assert body["keep_alive"] == 300
        assert body["format"] == "json"
        assert body["truncate"] is False
        assert body["think"] is False
        assert "options" not in body


async def test_placeholders_show_the_effective_defaults(emulator: OllamaEmulator) -> None:
    qwen = emulator.model("qwen3:8b")
    assert qwen is not None
    qwen.parameters = "temperature                    0.6\ntop_k                          20"
    qwen.system = "You are Qwen."
    app = app_for(emulator, model="qwen3:8b")
    async with app.run_test(size=(150, 50)) as pilot:
        await wait_until(pilot, lambda: app.shared.catalog.info("qwen3:8b") is not None)
        sidebar = await open_sidebar(pilot)
        assert field(sidebar, "temperature").editor.placeholder == "0.6 (model)"
        assert field(sidebar, "top_p").editor.placeholder == "0.9 (server)"
        assert "You are Qwen." in str(field(sidebar, "system").editor.placeholder)


QWEN_TEMPLATE = """{{- if .Messages }}
{{- if or .System .Tools }}<|im_start|>system
{{- if .System }}
{{ .System }}
{{- else }}
You are Qwen, created by Alibaba Cloud. You are a helpful assistant.
{{- end }}"""


async def test_a_system_prompt_the_template_inserts_is_shown_as_the_default(
    emulator: OllamaEmulator,
) -> None:
    qwen = emulator.model("qwen3:8b")
    assert qwen is not None
    qwen.template = QWEN_TEMPLATE
    app = app_for(emulator, model="qwen3:8b")
    async with app.run_test(size=(150, 50)) as pilot:
        await wait_until(pilot, lambda: app.shared.catalog.info("qwen3:8b") is not None)
        sidebar = await open_sidebar(pilot)
        shown = str(field(sidebar, "system").editor.placeholder)
        assert shown == (
            "the template's default: You are Qwen, created by Alibaba Cloud. "
            "You are a helpful assistant."
        )


async def test_invalid_values_are_flagged_and_nothing_is_sent(emulator: OllamaEmulator) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(150, 50)) as pilot:
        chat = chat_of(pilot)
        sidebar = await open_sidebar(pilot)
        cases = {
            "temperature": ("warm", "temperature must be a number"),
            "top_p": ("1.5", "top_p must be at most 1"),
            "top_k": ("2.5", "top_k must be a whole number"),
            "keep_alive": ("5 minutes", "is not a duration"),
            "format": ("{oops", "format is not valid JSON"),
        }
        for key, (text, message) in cases.items():
            set_field(sidebar, key, text)
            await pilot.pause()
            shown = str(field(sidebar, key).query_one(".field-error", Static).render())
            assert message in shown, key
            assert field(sidebar, key).has_class("-invalid")
        chat.composer.focus()
        chat.composer.text = "hi"
        await pilot.press("enter")
        # Refused, and the draft given back: nothing more of this Enter is to come.
        await wait_until(
            pilot,
            lambda: (
                any("Fix the settings" in n.message for n in notices(app))
                and chat.composer.text == "hi"  # the draft is kept
            ),
        )
        assert emulator.chat_requests() == []
        # Fixing the fields lets it through; the fixed values are what is sent.
        for key in cases:
            set_field(sidebar, key, "")
        set_field(sidebar, "temperature", "0.5")
        await pilot.pause()
        assert chat.conversation.settings.problems() == []
        chat.composer.focus()
        await send(pilot, "hi")
        assert emulator.chat_requests()[-1]["options"] == {"temperature": 0.5}


async def test_an_invalid_value_stays_after_the_sidebar_closes_and_blocks_every_send(
    emulator: OllamaEmulator,
) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(150, 50)) as pilot:
        chat = chat_of(pilot)
        sidebar = await open_sidebar(pilot)
        await tab_to(pilot, field(sidebar, "temperature").editor)
        await pilot.press(*"abc", "f3")  # type it, close the sidebar
        assert not sidebar.has_class("-open")
        for attempt in range(2):
            await pilot.press(*("hi" if attempt == 0 else ""), "enter")
            # Refused: it says so, then opens the sidebar at the field to fix.
            await wait_until(
                pilot,
                lambda: (
                    any("Fix the settings" in n.message for n in notices(app))
                    and sidebar.has_class("-open")
                ),
            )
            assert emulator.chat_requests() == []
            temperature = field(sidebar, "temperature")
            assert temperature.text == "abc" and temperature.has_class("-invalid")
            await pilot.press("f3")  # closed again, and the text is still there
            assert not sidebar.has_class("-open")
        assert chat.composer.text == "hi"
        assert chat.conversation.settings.options.get("temperature") is None


async def test_reset_one_field_and_all(emulator: OllamaEmulator) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(150, 50)) as pilot:
        chat = chat_of(pilot)
        sidebar = await open_sidebar(pilot)
        set_field(sidebar, "temperature", "0.3")
        set_field(sidebar, "seed", "1")
        await pilot.pause()
        await tab_to(pilot, field(sidebar, "temperature").editor)
        await pilot.press("f8")
        assert "temperature" not in chat.conversation.settings.options
        assert field(sidebar, "temperature").editor.value == ""  # type: ignore[union-attr]
        assert chat.conversation.settings.options == {"seed": 1}
        # The buttons are at the sidebar's top, which a busy machine sometimes leaves
        # scrolled a few rows down when it opens: scrolled to, as a person would.
        sidebar.scroll_home(animate=False, immediate=True)
        await screen_settled(pilot)
        await pilot.click("#reset-all")
        assert chat.conversation.settings.options == {}


async def test_presets_save_apply_and_default_for_new_chats(emulator: OllamaEmulator) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(150, 50)) as pilot:
        chat = chat_of(pilot)
        sidebar = await open_sidebar(pilot)
        set_field(sidebar, "system", "Answer in French.")
        set_field(sidebar, "temperature", "0.2")
        await pilot.pause()
        await pilot.click("#save-preset")
        await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt))
        await pilot.press(*"French", "enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, TextPrompt))
        presets, _ = list_presets(paths.presets_dir())
        saved = next(p for p in presets if p.name == "French")
        assert saved.settings.system == "Answer in French."
        assert saved.settings.options == {"temperature": 0.2}
        # Apply a bundled preset: it replaces the settings and the sidebar shows them.
        await pilot.click("#apply-preset")
        await choose_preset(pilot, "Reproducible")
        await wait_until(pilot, lambda: chat.conversation.settings.options.get("seed") == 42)
        assert chat.conversation.settings.system == ""
        assert field(sidebar, "seed").editor.value == "42"  # type: ignore[union-attr]
        # These become the defaults for new chats, also after a restart.
        await pilot.click("#make-default")
        await pilot.press("ctrl+n")
        assert chat.conversation.settings.options == {"temperature": 0.0, "seed": 42}
    restarted = app_for(emulator)
    async with restarted.run_test(size=(150, 50)) as pilot:
        assert chat_of(pilot).conversation.settings.options == {"temperature": 0.0, "seed": 42}


async def test_legacy_options_only_for_old_servers(emulator: OllamaEmulator) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(150, 50)) as pilot:
        sidebar = await open_sidebar(pilot)
        await wait_until(pilot, lambda: app.shared.health.state.connected is True)
        chat_of(pilot).settings.load_sidebar()
        assert not field(sidebar, "mirostat").display
        assert "ignored by Ollama 0.7.0" in str(sidebar.query_one("#legacy-note", Static).render())
    emulator.version = "0.6.8"
    app = app_for(emulator)
    async with app.run_test(size=(150, 50)) as pilot:
        await wait_until(pilot, lambda: app.shared.health.state.connected is True)
        sidebar = await open_sidebar(pilot)
        assert field(sidebar, "mirostat").display
        assert "predates 0.12.6" in str(sidebar.query_one("#truncate-note", Static).render())


async def test_meter_calibrates_to_the_server_count(emulator: OllamaEmulator) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(150, 50)) as pilot:
        chat = chat_of(pilot)
        await wait_until(pilot, lambda: app.shared.counter.tokenizer.exact)
        await send(pilot, "Explain briefly how a bicycle stays upright while it is moving.")
        draft = "And why is it harder to balance when the bicycle is going very slowly?"
        chat.composer.text = draft
        # Counted with the draft (a third message), exactly, and no recount to come.
        await wait_until(
            pilot,
            lambda: (
                chat.settings.estimate is not None and len(chat.settings.estimate.per_message) == 3
            ),
        )
        await meter_settled(pilot)
        assert chat.settings.estimate is not None
        assert chat.settings.estimate.total > 40
        predicted = chat.settings.estimate.total
        await send(pilot, draft)
        reply = chat.conversation.turns[-1]
        actual = reply.reply.stats.prompt_eval_count  # type: ignore[union-attr]
        assert actual
        assert abs(predicted - actual) / actual <= 0.10, (predicted, actual)
        meter = str(chat.query_one(ContextMeter).render())
        assert f"last prompt {actual:,}" in meter


async def test_overflow_warning_names_the_dropped_messages(emulator: OllamaEmulator) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(150, 50)) as pilot:
        chat = chat_of(pilot)
        await send(pilot, "First question about apples " + "and more apples " * 10)
        await send(pilot, "Second question about pears")
        chat.conversation.settings.options["num_ctx"] = 120
        await wait_until(pilot, lambda: chat.settings.estimate is not None)
        chat.composer.text = "Third question " + "with plenty of words " * 12
        await pilot.press("enter")
        # The prompt is counted off the event loop; the dialog says it was held back.
        await wait_until(pilot, lambda: isinstance(app.screen, OverflowDialog))
        assert len(emulator.chat_requests()) == 2  # not sent yet
        dialog = app.screen
        assert isinstance(dialog, OverflowDialog)
        warning = dialog.warning
        assert "your prompt 'First question about apples" in warning
        assert "the reply 'You said: First question" in warning
        assert "Third question" not in warning  # the new prompt itself is always kept
        meter = chat.query_one(ContextMeter)
        await wait_until(pilot, lambda: meter.has_class("-full"))
        await pilot.press("s")  # sending anyway is the user's call
        await wait_until(pilot, lambda: len(emulator.chat_requests()) == 3)


async def test_a_prompt_at_the_window_limit_is_flagged(emulator: OllamaEmulator) -> None:
    emulator.script(ChatReply(content=["ok"], stats={"prompt_eval_count": 2048}))
    app = app_for(emulator)
    async with app.run_test(size=(150, 50)) as pilot:
        chat = chat_of(pilot)
        chat.conversation.settings.options["num_ctx"] = 2048
        await send(pilot, "hi")
        reply = chat.conversation.turns[-1].reply  # type: ignore[union-attr]
        assert reply.prompt_truncated
        assert "probably dropped" in turn_text(pilot, -1)


async def test_meter_window_sources(emulator: OllamaEmulator) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(150, 50)) as pilot:
        chat = chat_of(pilot)
        await wait_until(pilot, lambda: app.shared.catalog.info("llama3.2:latest") is not None)
        await wait_until(pilot, lambda: chat.session.server_version == "0.12.6")
        # Not loaded, no num_ctx: Ollama 0.12 gives it 4,096, whatever the model's maximum.
        assert chat.session.context_window() == (4096, " (server default)")
        await send(pilot, "hi")  # loads the model; /api/ps then reports its window
        await wait_until(
            pilot, lambda: app.shared.catalog.running_context("llama3.2:latest") is not None
        )
        assert chat.session.context_window() == (
            app.shared.catalog.running_context("llama3.2:latest"),
            "",
        )
        chat.conversation.settings.options["num_ctx"] = 1024
        assert chat.session.context_window() == (1024, "")


async def test_no_picker_when_the_health_check_beats_the_model_setting(
    emulator: OllamaEmulator,
) -> None:
    """A --model given on the command line must not be asked for again, even when the
    first health check lands before the chat screen has applied it."""
    app = app_for(emulator)
    async with app.run_test(size=(150, 50)) as pilot:
        chat_of(pilot).conversation.model = ""
        app.on_service_news(ServiceNews(ConnectionState(True, "0.12.6")))
        await pilot.pause()
        assert not isinstance(app.screen, ModelPicker)


async def test_regenerate_is_refused_with_invalid_settings(emulator: OllamaEmulator) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(150, 50)) as pilot:
        chat = chat_of(pilot)
        await send(pilot, "hi")
        sidebar = await open_sidebar(pilot)
        set_field(sidebar, "temperature", "hot")
        await pilot.pause()
        chat.composer.focus()
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: any("Fix the settings" in n.message for n in notices(app)))
        assert len(emulator.chat_requests()) == 1


async def test_page_keys_in_the_system_prompt_move_its_cursor(emulator: OllamaEmulator) -> None:
    # On the chat screen the page keys scroll the chat, but not from an editor that
    # uses them.
    app = app_for(emulator)
    async with app.run_test(size=(150, 50)) as pilot:
        sidebar = await open_sidebar(pilot)
        editor = field(sidebar, "system").editor
        assert isinstance(editor, TextArea) and app.focused is editor
        editor.text = "\n".join(f"line {n}" for n in range(40))
        editor.move_cursor((39, 0))
        await pilot.press("pageup")
        assert editor.cursor_location[0] < 39


async def test_invalid_settings_are_not_made_the_new_chat_default(
    emulator: OllamaEmulator,
) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(150, 50)) as pilot:
        chat = chat_of(pilot)
        sidebar = await open_sidebar(pilot)
        temperature = field(sidebar, "temperature").editor
        await tab_to(pilot, temperature)
        await pilot.press(*"abc")
        await tab_to(pilot, "make-default")
        await pilot.press("enter")
        await wait_until(
            pilot,
            lambda: any("before using them for new chats" in n.message for n in notices(app)),
        )
        assert app.focused is temperature  # where the fix is typed
        assert not paths.new_chat_file().exists()
        await pilot.press("ctrl+u", *"0.3")
        await tab_to(pilot, "make-default")
        await pilot.press("enter")
        await wait_until(pilot, paths.new_chat_file().exists)
        await pilot.press("f3", "ctrl+n")
        await wait_until(pilot, lambda: not chat.conversation.turns and chat.composer.has_focus)
        await pilot.press(*"hi", "enter")
        await wait_until(pilot, lambda: len(emulator.chat_requests()) == 1)
        assert emulator.chat_requests()[0]["options"] == {"temperature": 0.3}


async def test_a_preset_applied_shows_at_once_in_the_status_line(
    emulator: OllamaEmulator,
) -> None:
    save_preset(paths.presets_dir(), "Quiet", ChatSettings(think=False))
    app = app_for(emulator, model="qwen3:8b")
    async with app.run_test(size=(150, 50)) as pilot:
        chat = chat_of(pilot)
        await wait_until(pilot, lambda: "think on" in status_text(chat))
        await pilot.press("ctrl+p", *"Apply preset", "enter")
        await choose_preset(pilot, "Quiet")
        await wait_until(pilot, lambda: chat.conversation.settings.think is False)
        # Well before the next check of the server would redraw the line.
        await wait_until(pilot, lambda: "think off" in status_text(chat), timeout=2)


async def test_the_window_is_asked_for_at_start_on_a_new_chat_and_a_num_ctx_change(
    emulator: OllamaEmulator,
) -> None:
    emulator.running = [Running("llama3.2:latest", context_length=8192)]
    app = app_for(emulator)
    async with app.run_test(size=(150, 50)) as pilot:
        chat = chat_of(pilot)
        meter = chat.query_one(ContextMeter)
        await wait_until(pilot, lambda: "/ 8,192 tokens" in str(meter.render()))
        assert "model max" not in str(meter.render())  # the loaded window, before any reply
        emulator.running = [Running("llama3.2:latest", context_length=2048)]
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: "/ 2,048 tokens" in str(meter.render()))
        asked = len(emulator.requests_to("/api/ps"))
        sidebar = await open_sidebar(pilot)
        set_field(sidebar, "num_ctx", "1024")
        await wait_until(pilot, lambda: len(emulator.requests_to("/api/ps")) > asked)
        await wait_until(pilot, lambda: "/ 1,024 tokens" in str(meter.render()))


async def test_the_request_is_shown_as_it_will_be_sent_and_copied(
    emulator: OllamaEmulator,
) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(150, 50)) as pilot:
        chat = chat_of(pilot)
        await send(pilot, "first question")
        sidebar = await open_sidebar(pilot)
        set_field(sidebar, "temperature", "0.3")
        await pilot.press("f3")
        chat.composer.focus()
        await pilot.press(*"next one")
        await run_from_palette(pilot, "Show the request")
        await wait_until(pilot, lambda: isinstance(app.screen, RequestView))
        shown = json.loads(app.screen.query_one("#request-json", TextArea).text)
        # Below it, the prompt the server renders (Ollama 0.11.5 and later).
        prompt = app.screen.query_one("#request-prompt", TextArea)
        await wait_until(pilot, lambda: "<|start|>user\nnext one<|end|>" in prompt.text)
        assert prompt.text.startswith("<|begin|><|start|>user\nfirst question<|end|>")
        await pilot.press("ctrl+l")
        await wait_until(pilot, lambda: not isinstance(app.screen, RequestView))
        assert json.loads(app.clipboard) == shown
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(emulator.chat_requests()) == 2)
        sent = emulator.requests_to("/api/chat")[-1].json
        assert shown == sent  # exactly what went out
        assert shown["options"] == {"temperature": 0.3}
        assert [m["content"] for m in shown["messages"]][-1] == "next one"


async def test_the_window_after_num_ctx_is_cleared_is_the_default_the_next_request_gets(
    emulator: OllamaEmulator,
) -> None:
    """Loaded at an explicit num_ctx, the model is reloaded at its default once the
    num_ctx is cleared: the meter says so before the next message, not the size it is
    loaded with now."""
    app = app_for(emulator)
    async with app.run_test(size=(150, 50)) as pilot:
        chat = chat_of(pilot)
        meter = chat.query_one(ContextMeter)
        sidebar = await open_sidebar(pilot)
        set_field(sidebar, "num_ctx", "512")
        await pilot.press("f3")
        await send(pilot, "hi")
        await wait_until(pilot, lambda: app.shared.catalog.running_context("llama3.2") == 512)
        sidebar = await open_sidebar(pilot)
        set_field(sidebar, "num_ctx", "")
        await pilot.press("f3")
        await wait_until(pilot, lambda: "/ 4,096 tokens (server default)" in str(meter.render()))
        assert app.shared.catalog.running_context("llama3.2") == 512  # loaded at 512 still
        await send(pilot, "and now?")
        assert "num_ctx" not in (emulator.chat_requests()[-1].get("options") or {})
        await wait_until(pilot, lambda: app.shared.catalog.running_context("llama3.2") == 4096)
        assert "/ 4,096 tokens" in str(meter.render())


async def test_esc_in_the_sidebar_closes_it_and_the_prompt_takes_the_keys(
    emulator: OllamaEmulator,
) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        chat = chat_of(pilot)
        await run_from_palette(pilot, "Set the context window")
        sidebar = chat.query_one(SettingsSidebar)
        editor = field(sidebar, "num_ctx").editor
        await wait_until(pilot, lambda: editor.has_focus)
        # An open list in the sidebar is closed first, the sidebar stays.
        listed = sidebar.query_one("#truncate", Select)
        listed.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: listed.expanded)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not listed.expanded)
        assert sidebar.has_class("-open")
        await pilot.press("escape", *"Hello")
        await wait_until(pilot, lambda: chat.composer.text == "Hello")
        assert not sidebar.has_class("-open")
        assert chat.conversation.settings.options.get("num_ctx") is None


async def test_an_error_under_a_field_is_in_view_as_it_is_typed(
    emulator: OllamaEmulator,
) -> None:
    app = app_for(emulator)
    async with app.run_test(size=(80, 24)) as pilot:
        chat = chat_of(pilot)
        await run_from_palette(pilot, "Set the context window")
        sidebar = chat.query_one(SettingsSidebar)
        num_ctx = field(sidebar, "num_ctx")
        await wait_until(pilot, lambda: num_ctx.editor.has_focus)
        await pilot.press(*"abc")
        await wait_until(pilot, lambda: bool(num_ctx.error))
        error = num_ctx.query_one(".field-error")
        label = num_ctx.query_one(".field-label")
        await wait_until(pilot, lambda: sidebar.can_view_entire(error))
        assert sidebar.can_view_entire(label)
