"""The test suite's own settings: which Hypothesis profile runs where."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

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
    assert settings.default.deadline is None
