"""The test suite's own machinery: which Hypothesis profile runs where, and the
emulator's hold on its port while it is down."""

from __future__ import annotations

import errno
import socket

import httpx
import pytest
from hypothesis import HealthCheck, settings

from ollama_tui.emulator import OllamaEmulator
from tests.conftest import hypothesis_profile


@pytest.mark.parametrize(
    ("environ", "profile"),
    [
        ({}, "dev"),
        ({"CI": "true"}, "ci"),
        ({"CI": "1"}, "ci"),
        ({"CI": "false"}, "dev"),
        ({"CI": "0"}, "dev"),
        ({"CI": ""}, "dev"),
        ({"CI": "true", "HYPOTHESIS_PROFILE": "dev"}, "dev"),
        ({"HYPOTHESIS_PROFILE": "ci"}, "ci"),
    ],
)
def test_the_profile_follows_the_environment(environ: dict[str, str], profile: str) -> None:
    assert hypothesis_profile(environ) == profile


@pytest.mark.parametrize("name", ["ci", "dev"])
def test_no_profile_fails_a_test_for_being_slow(name: str) -> None:
    profile = settings.get_profile(name)
    assert profile.deadline is None
    assert HealthCheck.too_slow in profile.suppress_health_check


def test_the_ci_profile_runs_the_same_examples_every_time() -> None:
    profile = settings.get_profile("ci")
    assert profile.derandomize
    assert profile.database is None


def test_the_loaded_profile_has_no_deadline() -> None:
    assert settings.default is not None
    assert settings.default.deadline is None


def test_a_stopped_emulator_keeps_its_port_for_coming_back() -> None:
    with OllamaEmulator() as emulator:
        port = emulator.port
        emulator.go_down()
        with socket.socket() as other, pytest.raises(OSError) as taken:
            other.bind(("127.0.0.1", port))
        assert taken.value.errno == errno.EADDRINUSE
        with socket.socket() as caller, pytest.raises(ConnectionRefusedError):
            caller.connect(("127.0.0.1", port))
        emulator.come_back()
        assert emulator.port == port
        assert httpx.get(f"{emulator.url}/api/version").json() == {"version": "0.12.6"}
    with socket.socket() as other:
        other.bind(("127.0.0.1", port))  # stopped for good, it lets the port go
