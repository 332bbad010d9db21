"""Rate limits: one small interface (``RateLimiter``) over the `limits` library.

``limiter`` keeps the counts (in memory, or in Redis shared by every worker),
``clients`` says who the client is, ``guard`` holds the rules a request and the
anonymous operations are checked against, and ``REFUSAL_LISTENERS`` lets
metrics count refusals.
"""

from app.ratelimit.guard import RateLimited, RequestLimits, too_many_requests
from app.ratelimit.limiter import REFUSAL_LISTENERS, RateLimiter, Refusal

__all__ = ["REFUSAL_LISTENERS", "RateLimited", "RateLimiter", "Refusal", "RequestLimits", "too_many_requests"]
