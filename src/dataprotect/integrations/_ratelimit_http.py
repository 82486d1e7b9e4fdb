"""What every framework adapter answers when a rate limit refuses a request.

The answer is the same whichever limit fired: status 429, a fixed body, and
``Retry-After`` in whole seconds (at least 1).  No ``X-RateLimit-*`` headers
are sent, so clients cannot probe the policy.
"""

from __future__ import annotations

import math

from dataprotect.errors import RateLimitExceeded


__all__ = ["BODY", "STATUS", "retry_after_header"]

STATUS = 429
BODY = "Too Many Requests"


def retry_after_header(exc: RateLimitExceeded) -> str:
    """The ``Retry-After`` value for *exc*: whole seconds, at least 1."""
    return str(max(1, math.ceil(exc.retry_after)))
