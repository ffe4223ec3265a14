import pytest

from ollama_tui.core.ollama.stream import NDJSONDecoder, NDJSONError


def feed_all(pieces: list[bytes]) -> list[dict[str, object]]:
    decoder = NDJSONDecoder()
    out = [obj for piece in pieces for obj in decoder.feed(piece)]
    return out + decoder.finish()


def test_line_split_across_reads_is_joined() -> None:
    assert feed_all([b'{"a": 1}\n{"b"', b": 2}\n"]) == [{"a": 1}, {"b": 2}]


def test_several_lines_in_one_read() -> None:
    assert feed_all([b'{"a": 1}\n{"a": 2}\n{"a": 3}\n']) == [{"a": 1}, {"a": 2}, {"a": 3}]


def test_multibyte_character_split_across_reads() -> None:
    raw = '{"t": "héllo 世界 🦙"}\n'.encode()
    pieces = [raw[i : i + 1] for i in range(len(raw))]
    assert feed_all(pieces) == [{"t": "héllo 世界 🦙"}]


def test_blank_lines_are_skipped() -> None:
    assert feed_all([b'\n\n{"a": 1}\n\r\n  \n{"a": 2}\n']) == [{"a": 1}, {"a": 2}]


def test_single_object_without_newline() -> None:
    assert feed_all([b'{"done": true, "done_reason": "load"}']) == [
        {"done": True, "done_reason": "load"}
    ]


@pytest.mark.parametrize("line", [b"not json\n", b"[1, 2]\n", b'{"a": \n'])
def test_broken_lines_raise(line: bytes) -> None:
    with pytest.raises(NDJSONError):
        feed_all([line])


def test_invalid_utf8_becomes_replacement_characters() -> None:
    assert feed_all([b'{"t": "a\xff\xfeb"}\n']) == [{"t": "a\ufffd\ufffdb"}]


def test_lone_surrogates_become_replacement_characters() -> None:
    (obj,) = feed_all([b'{"t": "x\\ud800y", "\\udfffk": ["\\uDBFF"]}\n'])
    assert obj == {"t": "x\ufffdy", "\ufffdk": ["\ufffd"]}
    assert str(obj).encode("utf-8")


@pytest.mark.parametrize(
    "line",
    [b"[" * 100_000 + b"]" * 100_000 + b"\n", b'{"n": ' + b"9" * 5000 + b"}\n"],
    ids=["deep nesting", "huge integer"],
)
def test_json_the_decoder_cannot_take_is_a_broken_line(line: bytes) -> None:
    with pytest.raises(NDJSONError):
        feed_all([line])
