"""Settings come from the environment, and unsafe or unusable ones stop the process."""

from __future__ import annotations

import pytest

from mend.config import ConfigurationError, Settings


def test_production_refuses_the_default_secret_key():
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        Settings.from_env({"MEND_ENV": "production"})
    master = "A" * 43  # base64 of 32 bytes
    assert Settings.from_env({"MEND_ENV": "production", "SECRET_KEY": "k" * 40,
                              "MEND_MASTER_KEY": master}).is_production


def test_production_refuses_to_start_without_a_master_key():
    with pytest.raises(ConfigurationError, match="MEND_MASTER_KEY"):
        Settings.from_env({"MEND_ENV": "production", "SECRET_KEY": "k" * 40})


def test_a_master_key_must_be_32_bytes_of_base64():
    for bad in ("short", "A" * 40, "not base64 at all!!"):
        with pytest.raises(ConfigurationError, match="MEND_MASTER_KEY"):
            Settings.from_env({"MEND_MASTER_KEY": bad})
    with pytest.raises(ConfigurationError, match="MEND_MASTER_KEY"):
        Settings.from_env({"MEND_MASTER_KEY": "A" * 43, "MEND_MASTER_KEY_PREVIOUS": "B" * 12})


def test_trusted_proxies_default_to_none_and_must_be_a_count():
    assert Settings.from_env({}).trusted_proxies == 0
    assert Settings.from_env({"MEND_TRUSTED_PROXIES": "2"}).trusted_proxies == 2
    for bad in ("-1", "two", "1.5"):
        with pytest.raises(ConfigurationError, match="MEND_TRUSTED_PROXIES"):
            Settings.from_env({"MEND_TRUSTED_PROXIES": bad})
