"""Reading the system prompt a chat template inserts when none is sent."""

from __future__ import annotations

from ollama_tui.core.templates import template_default_system
from tests.test_sidebar import QWEN_TEMPLATE

LLAMA = (
    "{{ if .System }}<|start_header_id|>system<|end_header_id|>\n\n{{ .System }}<|eot_id|>"
    "{{ end }}{{ if .Prompt }}<|start_header_id|>user<|end_header_id|>{{ .Prompt }}{{ end }}"
)


def test_the_default_in_the_else_branch_is_found() -> None:
    assert template_default_system(QWEN_TEMPLATE) == (
        "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."
    )


def test_a_template_without_a_default_has_none() -> None:
    assert template_default_system(LLAMA) == ""
    assert template_default_system("{{ .Prompt }}") == ""
    # An else that belongs to another block is not the system prompt's.
    other = "{{ if .System }}{{ .System }}{{ end }}{{ if .Tools }}x{{ else }}No tools.{{ end }}"
    assert template_default_system(other) == ""
