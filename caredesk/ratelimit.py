"""A fixed-window request counter per key (an API token), in Django's cache.

The default cache is each process's own memory: with N web processes a token may make up to N
times its limit in a minute. A deployment that wants one count across processes points the
`ratelimit` cache at a shared backend (CAREDESK_RATELIMIT_CACHE=db uses a table of the
database, `manage.py createcachetable` once).
"""

import math
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches

from caredesk import clock


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds until the window turns, when refused


def hit(key: str, *, limit: int | None = None, window: int = 60) -> Verdict:
    """Count one request under `key`; refused once the window's count passes `limit`
    (settings.API_RATE_PER_MINUTE by default; 0 or less: no limit)."""
    limit = settings.API_RATE_PER_MINUTE if limit is None else limit
    if limit <= 0:
        return Verdict(True, 0)
    now = clock.now().timestamp()  # the one clock: tests hold it inside one window
    slot = int(now // window)
    cache = caches["ratelimit"]
    name = f"rl:{key}:{slot}"
    cache.add(name, 0, timeout=window * 2)
    try:
        count = cache.incr(name)
    except ValueError:  # evicted between add and incr
        cache.set(name, 1, timeout=window * 2)
        count = 1
    if count <= limit:
        return Verdict(True, 0)
    return Verdict(False, max(1, math.ceil((slot + 1) * window - now)))
