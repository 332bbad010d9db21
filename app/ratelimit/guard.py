"""The rules each request and each anonymous operation are checked against.

``Rules`` is parsed once per app from ``Settings.rate_limits``; ``RequestLimits``
binds them to one request's client address. The per-request check refuses
the whole request (HTTP 429, ``too_many_requests``); the per-operation checks
raise ``RateLimited`` in the refused field only, once per field execution, so
aliases count one each.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from starlette.responses import JSONResponse

from app.errors import ApiError
from app.identity.validation import email_key
from app.ratelimit.limiter import RateLimiter, Refusal, Rule
from app.settings import RateLimits
from app.viewer import Viewer


class RateLimited(ApiError):
    """A GraphQL error on the refused field, with ``extensions.retryAfter`` in seconds."""

    code = "RATE_LIMITED"

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(f"Too many attempts: try again in {refusal.retry_after} seconds.")
        self.retry_after = refusal.retry_after
        self.extensions = {"retryAfter": refusal.retry_after}


@dataclass(frozen=True, slots=True)
class Rules:
    requests_per_token: Rule
    requests_per_anonymous_client: Rule
    login_per_email: Rule
    login_per_client: Rule
    password_reset_per_email: Rule
    password_reset_per_client: Rule
    reset_password_per_client: Rule
    account_request_per_email: Rule
    account_request_per_client: Rule

    @classmethod
    def from_settings(cls, limits: RateLimits) -> Rules:
        return cls(
            # Per process (see RateLimiter.hit): they guard each worker's capacity, on every request.
            requests_per_token=Rule.parse("request.token", limits.requests_per_token, per_process=True),
            requests_per_anonymous_client=Rule.parse(
                "request.client", limits.requests_per_anonymous_client, per_process=True
            ),
            login_per_email=Rule.parse("login.email", limits.login_per_email),
            login_per_client=Rule.parse("login.client", limits.login_per_client),
            password_reset_per_email=Rule.parse("password_reset.email", limits.password_reset_per_email),
            password_reset_per_client=Rule.parse("password_reset.client", limits.password_reset_per_client),
            reset_password_per_client=Rule.parse("reset_password.client", limits.reset_password_per_client),
            account_request_per_email=Rule.parse("account_request.email", limits.account_request_per_email),
            account_request_per_client=Rule.parse("account_request.client", limits.account_request_per_client),
        )


def _email_id(email: str) -> str:
    # Counted under a digest: the counting store never holds the addresses people typed.
    return hashlib.sha256(email_key(email)[:254].encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class RequestLimits:
    """One request's checks; with ``rules`` None (limits switched off) everything passes."""

    limiter: RateLimiter
    rules: Rules | None
    client: str

    async def admit(self, viewer: Viewer) -> Refusal | None:
        """The per-token limit (per client address for a request with no valid token)."""
        if self.rules is None:
            return None
        if viewer.session_id is not None:
            return await self.limiter.hit(self.rules.requests_per_token, f"s{viewer.session_id}")
        if viewer.api_key_id is not None:
            return await self.limiter.hit(self.rules.requests_per_token, f"k{viewer.api_key_id}")
        return await self.limiter.hit(self.rules.requests_per_anonymous_client, self.client)

    async def _check(self, per_client: Rule, per_email: Rule | None = None, email: str | None = None) -> None:
        # The client's rule first: a client over its limit spends no one's per-email allowance.
        refusal = await self.limiter.hit(per_client, self.client)
        if refusal is None and per_email is not None and email is not None:
            refusal = await self.limiter.hit(per_email, _email_id(email))
        if refusal is not None:
            raise RateLimited(refusal)

    async def login(self, email: str) -> None:
        if self.rules is not None:
            await self._check(self.rules.login_per_client, self.rules.login_per_email, email)

    async def password_reset(self, email: str) -> None:
        if self.rules is not None:
            await self._check(self.rules.password_reset_per_client, self.rules.password_reset_per_email, email)

    async def reset_password(self) -> None:
        if self.rules is not None:
            await self._check(self.rules.reset_password_per_client)

    async def account_request(self, email: str) -> None:
        if self.rules is not None:
            await self._check(self.rules.account_request_per_client, self.rules.account_request_per_email, email)


def too_many_requests(refusal: Refusal, request_id: str) -> JSONResponse:
    """The answer to a request refused as a whole: 429, ``Retry-After``, JSON with code and request id."""
    return JSONResponse(
        {
            "errors": [
                {
                    "message": f"Too many requests: try again in {refusal.retry_after} seconds.",
                    "extensions": {"code": "RATE_LIMITED", "retryAfter": refusal.retry_after, "requestId": request_id},
                }
            ]
        },
        status_code=429,
        headers={"Retry-After": str(refusal.retry_after)},
    )
