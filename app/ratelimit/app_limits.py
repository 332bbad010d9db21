"""What one app holds for rate limiting: the limiter, the parsed rules, the trusted proxies."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from app.ratelimit.clients import client_address
from app.ratelimit.guard import RequestLimits, Rules
from app.ratelimit.limiter import RateLimiter
from app.settings import Settings


class AppLimits:
    def __init__(self, settings: Settings) -> None:
        self.limiter = RateLimiter(settings.rate_limit_url, settings.rate_limit_prefix)
        self.rules = Rules.from_settings(settings.rate_limits) if settings.rate_limits.enabled else None
        self.trusted_proxies = settings.trusted_proxies

    def for_request(self, request: HTTPConnection) -> RequestLimits:
        """For an HTTP request or a WebSocket connection (its subscriptions run no limited field today)."""
        peer = request.client.host if request.client is not None else None
        forwarded = request.headers.get("x-forwarded-for") if self.trusted_proxies else None
        return RequestLimits(self.limiter, self.rules, client_address(peer, forwarded, self.trusted_proxies))
