"""MEND_ACCESS_LOG: on unless a benchmark turns it off for its baseline, and never off in
production."""

from __future__ import annotations

import base64

import pytest

from mend.config import ConfigurationError, Settings

PRODUCTION = {"MEND_ENV": "production", "SECRET_KEY": "k" * 40,
              "MEND_MASTER_KEY": base64.urlsafe_b64encode(bytes(range(32))).decode()}


def test_the_access_log_is_on_unless_turned_off():
    assert Settings.from_env({}).access_log == "on"
    assert Settings.from_env({"MEND_ACCESS_LOG": "off"}).access_log == "off"


def test_a_setting_that_is_neither_on_nor_off_is_refused():
    with pytest.raises(ConfigurationError, match="MEND_ACCESS_LOG must be on or off"):
        Settings.from_env({"MEND_ACCESS_LOG": "sometimes"})


def test_production_refuses_to_start_with_the_access_log_off():
    assert Settings.from_env(PRODUCTION).access_log == "on"
    with pytest.raises(ConfigurationError, match="access log off"):
        Settings.from_env({**PRODUCTION, "MEND_ACCESS_LOG": "off"})
