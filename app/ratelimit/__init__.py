"""Rate limits: one small interface (``RateLimiter``) over the `limits` library.

``limiter`` keeps the counts (in memory, or in Redis shared by every worker),
``clients`` says who the client is, ``guard`` holds the rules a request and the
anonymous operations are checked against, ``app_limits`` is what one app holds
(``create_app`` makes it; each request's context gets a ``RequestLimits``), and
``REFUSAL_LISTENERS`` lets metrics count refusals: append a callable taking the
rule's name (``request.token``, ``login.email``, ...).
"""

from app.ratelimit.guard import RateLimited, RequestLimits, too_many_requests
from app.ratelimit.limiter import REFUSAL_LISTENERS, RateLimiter, Refusal

__all__ = ["REFUSAL_LISTENERS", "RateLimited", "RateLimiter", "Refusal", "RequestLimits", "too_many_requests"]
