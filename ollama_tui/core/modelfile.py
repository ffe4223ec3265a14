"""Reading a Modelfile into the fields of ``/api/create``.

FROM, PARAMETER, SYSTEM, TEMPLATE, MESSAGE, LICENSE and ADAPTER are read; a value may
be quoted with triple quotes across lines. Instructions are case-insensitive, ``#``
starts a comment line, and anything else is refused with its line number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ollama_tui.core.files import read_text
from ollama_tui.core.options import OPTIONS_BY_KEY, InvalidValue, parse_option

INSTRUCTIONS = {"from", "parameter", "system", "template", "message", "license", "adapter"}
ROLES = {"system", "user", "assistant"}
MODELFILE_BYTES = 1024 * 1024
"""A Modelfile is a few lines of text; anything bigger is not one."""


class ModelfileError(ValueError):
    """What is wrong, and on which line."""


@dataclass
class Modelfile:
    source: str = ""
    """FROM: a model name, or a local file (a GGUF or a folder) to upload."""
    parameters: dict[str, Any] = field(default_factory=dict)
    system: str | None = None
    template: str | None = None
    license: list[str] = field(default_factory=list)
    messages: list[dict[str, str]] = field(default_factory=list)
    adapters: list[str] = field(default_factory=list)

    def request(
        self,
        name: str,
        *,
        files: dict[str, str] | None = None,
        adapters: dict[str, str] | None = None,
        quantize: str | None = None,
    ) -> dict[str, Any]:
        """The body of ``/api/create`` for a model called ``name``: made from the model
        FROM names or, when FROM names a local file, from its uploaded ``files`` (file
        name: digest); ``adapters`` likewise for the ADAPTER files."""
        body: dict[str, Any] = {"model": name}
        if files:
            body["files"] = files
        else:
            body["from"] = self.source
        if adapters:
            body["adapters"] = adapters
        if quantize:
            body["quantize"] = quantize
        if self.parameters:
            body["parameters"] = self.parameters
        if self.system is not None:
            body["system"] = self.system
        if self.template is not None:
            body["template"] = self.template
        if self.license:
            body["license"] = self.license if len(self.license) > 1 else self.license[0]
        if self.messages:
            body["messages"] = self.messages
        return body


_LINE = re.compile(r"^\s*(\w+)\s*(.*)$", re.DOTALL)


def _values(text: str) -> list[tuple[int, str, str]]:
    """(line number, instruction, value) for each instruction, with triple-quoted
    values joined across lines."""
    found: list[tuple[int, str, str]] = []
    lines = text.splitlines()
    number = 0
    while number < len(lines):
        line = lines[number]
        number += 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            raise ModelfileError(f"line {number}: cannot read {line.strip()[:40]!r}")
        instruction, value = match.group(1).lower(), match.group(2).strip()
        start = number
        if value.startswith('"""'):
            rest = value[3:]
            while '"""' not in rest and number < len(lines):
                rest += "\n" + lines[number]
                number += 1
            if '"""' not in rest:
                raise ModelfileError(f'line {start}: a """ value is never closed')
            value = rest[: rest.index('"""')]
        elif len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        found.append((start, instruction, value))
    return found


def read_modelfile(path: Path) -> Modelfile:
    """The Modelfile at ``path``; ``OSError`` if it cannot be read (a ``FileProblem``
    says why in words), ``ModelfileError`` if it is wrong."""
    return parse_modelfile(read_text(path, MODELFILE_BYTES))


def parse_modelfile(text: str) -> Modelfile:
    modelfile = Modelfile()
    for number, instruction, value in _values(text):
        if instruction not in INSTRUCTIONS:
            raise ModelfileError(f"line {number}: {instruction.upper()} is not an instruction")
        if instruction == "from":
            modelfile.source = value
        elif instruction == "parameter":
            key, _, setting = value.partition(" ")
            _parameter(modelfile, number, key.strip(), setting.strip())
        elif instruction == "message":
            role, _, content = value.partition(" ")
            if role.lower() not in ROLES:
                raise ModelfileError(f"line {number}: MESSAGE takes system, user or assistant")
            modelfile.messages.append({"role": role.lower(), "content": content.strip()})
        elif instruction == "license":
            modelfile.license.append(value)
        elif instruction == "adapter":
            modelfile.adapters.append(value)
        else:
            setattr(modelfile, instruction, value)
    if not modelfile.source:
        raise ModelfileError("there is no FROM line: say which model it is made from")
    return modelfile


def _parameter(modelfile: Modelfile, number: int, key: str, text: str) -> None:
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    spec = OPTIONS_BY_KEY.get(key)
    if spec is None:
        raise ModelfileError(f"line {number}: {key} is not a parameter Ollama knows")
    try:
        value = parse_option(spec, text)
    except InvalidValue as error:
        raise ModelfileError(f"line {number}: {error}") from None
    if key == "stop":  # several STOP lines add up
        stops = modelfile.parameters.setdefault("stop", [])
        stops.extend(value if isinstance(value, list) else [])
    elif value is not None:
        modelfile.parameters[key] = value
