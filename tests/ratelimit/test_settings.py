"""The rate-limit configuration: defaults, environment, and refusing what cannot work."""

from __future__ import annotations

import pytest

from app.ratelimit.guard import Rules
from app.ratelimit.limiter import RateLimiter
from app.settings import RateLimits, Settings


def test_defaults_come_from_the_environment_and_each_rule_can_be_tuned() -> None:
    assert Settings.from_env({}).rate_limit_url == "memory://"
    assert Settings.from_env({}).rate_limits == RateLimits()
    tuned = Settings.from_env(
        {
            "COMMERCE_RATE_LIMIT_URL": "redis://127.0.0.1:6379/2",
            "COMMERCE_RATE_LIMIT_LOGIN_PER_CLIENT": "60/minute",
            "COMMERCE_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.1",
        }
    )
    assert tuned.rate_limit_url == "redis://127.0.0.1:6379/2"
    assert tuned.rate_limits.login_per_client == "60/minute"
    assert tuned.rate_limits.login_per_email == RateLimits().login_per_email
    assert tuned.trusted_proxies == ("10.0.0.0/8", "192.0.2.1")
    assert Settings.from_env({"COMMERCE_RATE_LIMITS": "false"}).rate_limits.enabled is False


def test_every_default_rule_parses() -> None:
    rules = Rules.from_settings(RateLimits())
    assert [(w.amount, w.get_expiry()) for w in rules.requests_per_token.windows] == [(20, 1)]
    assert [(w.amount, w.get_expiry()) for w in rules.login_per_client.windows] == [(30, 60), (300, 3600)]
    assert [(w.amount, w.get_expiry()) for w in rules.password_reset_per_email.windows] == [(5, 3600)]


def test_a_bad_rule_or_url_stops_the_start() -> None:
    with pytest.raises(ValueError):
        Rules.from_settings(RateLimits(login_per_client="lots"))
    with pytest.raises(ValueError, match="COMMERCE_RATE_LIMIT_URL"):
        RateLimiter("memcached://127.0.0.1:11211")
