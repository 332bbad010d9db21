"""The rules without a database: which targets are public, the signature, the backoff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook

from app.webhooks.sender import backoff
from app.webhooks.targets import UnsafeTarget, is_public, resolve_public, url_problem


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("127.0.0.1", False),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("::ffff:10.0.0.1", False),
        ("not an address", False),
    ],
)
def test_is_public(address: str, public: bool) -> None:
    assert is_public(address) is public


def test_url_rules_depend_on_the_operators_setting() -> None:
    assert url_problem("https://erp.example.com/hooks", allow_private=False) is None
    assert url_problem("http://erp.example.com/hooks", allow_private=False) is not None
    assert url_problem("http://127.0.0.1:8080/hooks", allow_private=True) is None
    assert url_problem("https://127.0.0.1/hooks", allow_private=False) is not None
    assert url_problem("https://erp.example.com:99999/", allow_private=False) == "That is not a URL."
    assert url_problem("https://intranet/hooks", allow_private=False) == "The URL must name a public host."


async def test_every_resolved_address_must_be_public() -> None:
    async def resolver(host: str, port: int) -> list[str]:
        return ["93.184.216.34", "10.0.0.7"]

    with pytest.raises(UnsafeTarget, match="10.0.0.7"):
        await resolve_public("erp.example.com", 443, resolver)

    async def fine(host: str, port: int) -> list[str]:
        return ["93.184.216.34"]

    assert await resolve_public("erp.example.com", 443, fine) == ["93.184.216.34"]


def test_signature_matches_the_specifications_test_vector() -> None:
    """The example of the Standard Webhooks specification (and its reference libraries)."""
    webhook = Webhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    signature = webhook.sign(
        "msg_p5jXN8AQM9LWM0D4loKWxJek", datetime.fromtimestamp(1614265330, tz=UTC), '{"test": 2432232314}'
    )
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    for attempts, full in ((1, 5), (2, 10), (3, 20), (20, 3600)):
        for _ in range(50):
            wait = backoff(attempts)
            assert timedelta(seconds=full / 2) <= wait <= timedelta(seconds=full)
