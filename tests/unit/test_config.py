"""Settings come from the environment, and unsafe or unusable ones stop the process."""

from __future__ import annotations

import pytest

from mend.config import ConfigurationError, Settings


def test_production_refuses_the_default_secret_key():
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        Settings.from_env({"MEND_ENV": "production"})
    assert Settings.from_env({"MEND_ENV": "production", "SECRET_KEY": "k" * 40}).is_production


def test_trusted_proxies_default_to_none_and_must_be_a_count():
    assert Settings.from_env({}).trusted_proxies == 0
    assert Settings.from_env({"MEND_TRUSTED_PROXIES": "2"}).trusted_proxies == 2
    for bad in ("-1", "two", "1.5"):
        with pytest.raises(ConfigurationError, match="MEND_TRUSTED_PROXIES"):
            Settings.from_env({"MEND_TRUSTED_PROXIES": bad})
