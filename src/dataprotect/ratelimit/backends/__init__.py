"""Where a :class:`~dataprotect.ratelimit.RateLimiter` keeps its counts.

The storage is chosen by URI: ``memory://`` is this process's own
thread-safe, clock-injectable storage; ``redis://``, ``valkey://`` and
their TLS, Unix-socket, cluster and sentinel variants are ``limits``'
storages, shared by every process using the same server.

Nothing here is public API: pass a URI to
:class:`~dataprotect.ratelimit.RateLimiter`.
"""

from __future__ import annotations


__all__: list[str] = []
