"""Token counting for the context meter: exact, cached, calibrated and offline."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import tiktoken

from ollama_tui.core.calibration import PRIOR, Measured, Sample, Scale, fit
from ollama_tui.core.ollama.types import Message
from ollama_tui.core.remedies import raised_num_ctx
from ollama_tui.core.tokens import (
    ENCODING,
    IMAGE_TOKENS,
    ContextCounter,
    Estimate,
    Tokenizer,
    context_window,
    server_default_window,
)
from ollama_tui.core.truncation import (
    dropped_messages,
    needs_warning,
    overflow_warning,
    probably_truncated,
)
from ollama_tui.emulator.tokenizer import count_prompt, count_text

PARAGRAPH = "The river runs past the mill, and the miller counts the sacks of grain. " * 4

CONVERSATION = [
    Message("system", "You are a terse assistant who answers in one sentence."),
    Message("user", "What is the capital of France, and why is it famous?"),
    Message("assistant", "Paris, famous for the Eiffel Tower, the Louvre and its cafés."),
]


def test_estimate_equals_tiktoken_for_a_known_conversation() -> None:
    encoding = tiktoken.get_encoding(ENCODING)
    counter = ContextCounter(Tokenizer())
    draft = "And of Italy?"
    estimate = counter.estimate("m", CONVERSATION, draft)
    texts = [len(encoding.encode_ordinary(m.content)) for m in [*CONVERSATION, Message("", draft)]]
    assert estimate.exact
    # Before any calibration: tiktoken's scale, the prior's overheads.
    assert list(estimate.per_message) == [n + PRIOR.per_message for n in texts]
    assert estimate.total == sum(estimate.per_message) + PRIOR.fixed
    assert estimate.sample == Sample(sum(texts), len(texts))


def test_images_count_as_ollama_counts_them() -> None:
    counter = ContextCounter(Tokenizer())
    with_image = Message("user", "look", images=("aGk=",))
    without = Message("user", "look")
    assert counter.text_tokens(with_image) - counter.text_tokens(without) == IMAGE_TOKENS


def test_a_keystroke_recounts_only_the_draft() -> None:
    tokenizer = Tokenizer()
    counted: list[str] = []
    original = tokenizer.count

    def spy(text: str) -> int:
        counted.append(text)
        return original(text)

    tokenizer.count = spy  # type: ignore[method-assign]
    counter = ContextCounter(tokenizer)
    counter.estimate("m", CONVERSATION, "a")
    counted.clear()
    counter.estimate("m", CONVERSATION, "ab")
    assert counted == ["ab"]


def test_one_exchange_brings_the_next_estimate_within_five_percent() -> None:
    """The emulator counts a rendered template at its own scale: after one request and
    its reply (its eval_count is what the reply costs when it is sent back, the
    prompt's count gives the rest) the next, longer request is estimated within 5%."""
    counter = ContextCounter(Tokenizer())
    first = CONVERSATION[:2]
    counter.calibrate("m", counter.estimate("m", first).sample, count_prompt(wire(first)))
    answer = f"Paris. {PARAGRAPH}"
    counter.learn_reply("m", answer, "", count_text(answer))
    following = [
        *first,
        Message("assistant", answer),
        Message("user", "Tell me three things to see there in a single afternoon, please."),
    ]
    actual = count_prompt(wire(following))
    uncalibrated = ContextCounter(Tokenizer()).estimate("m", following).total
    assert abs(uncalibrated - actual) / actual > 0.10  # the scales really differ
    assert abs(counter.estimate("m", following).total - actual) / actual <= 0.05


def wire(messages: list[Message]) -> list[dict[str, object]]:
    return [m.to_json() for m in messages]


def test_a_short_first_turn_teaches_the_fixed_part_not_the_scale() -> None:
    """A template's fixed tokens dominate a short request: a single ratio learnt from
    it would overshoot every longer request; the fit puts them in ``fixed``."""
    counter = ContextCounter(Tokenizer())
    short = [Message("user", "Hi!")]
    counter.calibrate("m", counter.estimate("m", short).sample, 40)  # 3 tokens of text
    scale = counter.scale("m")
    assert scale.per_token < 2 and scale.fixed > 20
    long = [Message("user", PARAGRAPH)]
    assert counter.estimate("m", long).total < 2 * counter.count_text(PARAGRAPH)


def test_the_fit_recovers_a_template_s_figures_from_several_requests() -> None:
    truth = Scale(per_token=1.3, per_message=5, fixed=6)
    samples = [Sample(t, m) for t, m in ((3, 1), (120, 3), (400, 5), (90, 1), (800, 9))]
    scale = fit([Measured(s, round(truth.predict(s))) for s in samples])
    for sample in [*samples, Sample(10, 1), Sample(2000, 21)]:
        assert abs(scale.predict(sample) - truth.predict(sample)) <= 0.03 * truth.predict(sample)


def test_dropped_messages_are_the_oldest_but_never_system_or_last() -> None:
    roles = ["system", "user", "assistant", "user", "assistant", "user"]
    counts = [10, 40, 40, 40, 40, 40]
    assert dropped_messages(roles, counts, 1000) == []
    assert dropped_messages(roles, counts, 130) == [1, 2]
    assert dropped_messages(roles, counts, 129) == [1, 2, 3]
    assert dropped_messages(roles, counts, 10) == [1, 2, 3, 4]


def test_the_window_prefers_num_ctx_then_the_loaded_model_then_the_model_max() -> None:
    assert context_window(8192, 4096, 40960) == (8192, "")
    assert context_window(None, 4096, 40960) == (4096, "")
    assert context_window(None, None, 40960, 4096) == (4096, " (server default)")
    assert context_window(None, None, 2048, 4096) == (2048, " (server default)")
    window, note = context_window(None, None, 40960)
    assert window == 40960 and "model max" in note
    assert context_window(True, None, None) == (None, "")


def test_the_overflow_warning_names_what_would_be_dropped() -> None:
    estimate = Estimate(per_message=(20, 30, 30, 10), total=90, sample=Sample(80, 4), exact=True)
    warning = overflow_warning(CONVERSATION, estimate, 65)
    assert "90 tokens" in warning and "65-token" in warning
    assert "your prompt 'What is the capital of France" in warning
    assert "terse assistant" not in warning  # the system message is never dropped
    assert "Paris" not in warning  # dropping one message was enough


def test_probably_truncated() -> None:
    assert probably_truncated(4096, 4096)
    assert probably_truncated(4030, 4096)
    assert not probably_truncated(3000, 4096)
    assert not probably_truncated(None, 4096)
    assert not probably_truncated(4096, None)


def test_a_missing_encoding_falls_back_to_an_estimate() -> None:
    tokenizer = Tokenizer("no_such_encoding")
    assert tokenizer.count("abcdefgh") == 2
    assert not tokenizer.exact
    assert "estimates" in tokenizer.problem


def test_the_tokenizer_loads_with_the_network_blocked(tmp_path: object) -> None:
    script = textwrap.dedent(
        """
        import socket

        def refuse(*args, **kwargs):
            raise OSError("network blocked by the test")

        socket.socket.connect = refuse
        socket.create_connection = refuse
        socket.getaddrinfo = refuse

        from ollama_tui.core.tokens import Tokenizer

        tokenizer = Tokenizer()
        assert tokenizer.count("hello world") == 2, tokenizer.problem
        assert tokenizer.exact, tokenizer.problem
        print("offline ok")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "TIKTOKEN_CACHE_DIR": str(tmp_path), "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    assert "offline ok" in result.stdout


def test_a_count_the_server_cut_is_told_apart_from_a_whole_one() -> None:
    counter = ContextCounter(Tokenizer())
    # Unknown scale: only a request bigger than the window is known to be cut.
    assert counter.server_kept_less("m", Sample(600, 1), 300, 512)
    assert not counter.server_kept_less("m", Sample(400, 1), 300, 512)
    assert not counter.server_kept_less("m", Sample(600, 1), 700, 512)  # counted whole
    for text in (100, 300, 500):
        counter.calibrate("m", Sample(text, 1), round(1.3 * text + 10))
    assert counter.server_kept_less("m", Sample(300, 1), 300, 480)  # expected 400
    assert not counter.server_kept_less("m", Sample(300, 1), 380, 480)
    assert not counter.server_kept_less("m", Sample(300, 1), None, 480)  # no verdict
    # Far inside the window nothing is dropped: a low count there means the scale is
    # wrong (say, learnt from another kind of text), not that Ollama cut anything.
    assert not counter.server_kept_less("m", Sample(300, 1), 30, 4096)
    # Unless the window is only a bound (the model's maximum): the real one may be far
    # smaller, and the count too low for what was sent.
    assert counter.server_kept_less("m", Sample(300, 1), 30, 131072, window_known=False)


def test_a_prompt_too_long_alone_is_said_to_be_cut_with_the_system_prompt() -> None:
    estimate = Estimate(per_message=(20, 30, 30, 500), total=580, sample=Sample(560, 4), exact=True)
    warning = overflow_warning(CONVERSATION, estimate, 256)
    assert "your prompt 'What is the capital of France" in warning and "Paris" in warning
    assert "the start of your new prompt and of the system prompt" in warning
    assert "(about 128 tokens kept)" in warning


def test_many_dropped_messages_are_counted_not_all_named() -> None:
    many = [Message("user" if n % 2 == 0 else "assistant", f"turn {n}") for n in range(10)]
    estimate = Estimate(per_message=(50,) * 11, total=550, sample=Sample(500, 11), exact=True)
    warning = overflow_warning(many, estimate, 110)
    assert "'turn 0'" in warning and "'turn 3'" in warning and "'turn 4'" not in warning
    assert "and 5 more older messages" in warning


def test_the_server_default_window_follows_ollama_s_versions() -> None:
    assert server_default_window("0.6.6") == 2048
    assert server_default_window("0.12.6") == 4096
    assert server_default_window("0.15.4") == 4096
    assert server_default_window("0.15.5") is None  # by the GPU's memory: not known here
    assert server_default_window("") is None and server_default_window("dev") is None


def test_a_request_that_leaves_no_room_for_the_reply_is_warned_about() -> None:
    """Ollama keeps no room for the reply: a prompt of 240 in a 256-token window fits,
    but a reply of more than 16 tokens pushes the oldest of the chat out of view."""
    estimate = Estimate(per_message=(120, 115), total=240, sample=Sample(225, 2), exact=True)
    assert needs_warning(estimate, 256)
    warning = overflow_warning(CONVERSATION[1:2], estimate, 256)
    assert "it leaves 16 of the 256-token window for the reply" in warning
    roomy = Estimate(per_message=(120, 115), total=240, sample=Sample(225, 2), exact=True)
    assert not needs_warning(roomy, 4096)


def test_num_ctx_is_raised_only_to_a_window_with_room_for_a_reply() -> None:
    estimate = Estimate(per_message=(900,), total=900, sample=Sample(895, 1), exact=True)
    assert raised_num_ctx(estimate, 131_072) == 2048  # 900 and room for a reply
    assert raised_num_ctx(estimate, 1536) == 1536  # the maximum still leaves room
    assert raised_num_ctx(estimate, 1000) is None  # it would fit, with no room to reply


def test_a_reply_sent_back_costs_what_the_server_counted_of_it() -> None:
    counter = ContextCounter(Tokenizer())
    answer = "Paris is the capital of France. " * 4
    reply = Message("assistant", answer)
    assert counter.written("m", reply) is None  # not counted yet: our count, scaled
    counter.learn_reply("m", answer, "", 90)
    assert counter.written("m", reply) == 90
    assert counter.written("other", reply) is None  # another model's tokenizer
    assert counter.written("m", Message("user", answer)) is None  # only replies
    request = [Message("user", "Capital?"), reply, Message("user", "Sure?")]
    estimate = counter.estimate("m", request)
    assert estimate.sample.known == 90
    assert estimate.per_message[1] == round(90 + PRIOR.per_message)
    # It thought first: the server counted both, and the answer's share stands for it.
    thought = "Let me think about capitals. " * 4
    counter.learn_reply("t", answer, thought, 200)
    share = len(answer) / (len(answer) + len(thought))
    assert counter.written("t", reply) == round(200 * share)
    counter.learn_reply("x", answer, "", 10**6)  # no tokenizer counts that: ignored
    assert counter.written("x", reply) is None
    counter.forget()  # another conversation: its replies are learnt again
    assert counter.written("m", reply) is None
