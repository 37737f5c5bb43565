"""A small per-address rate limit for the public feedback page, on Django's cache.

Each (scope, client address) pair has a counter that lives `window` seconds from its first hit; past
`limit` hits in that window the page answers 429. The address is the one the audit log records
(core.middleware.client_ip: REMOTE_ADDR, or X-Forwarded-For as far as TRUSTED_PROXY_COUNT allows).
With the default local-memory cache each gunicorn worker counts on its own, so the effective limit is
`limit` × workers; set CACHE_URL to a Redis server (school_support.settings.cache_settings) to count
once for all of them.
"""

from __future__ import annotations

from django.core.cache import cache

from core.middleware import client_ip


def allow(request, *, scope: str, limit: int, window: int) -> bool:
    """Count this request; False when the address is over `limit` hits in `window` seconds."""
    key = f"throttle:{scope}:{client_ip(request) or 'unknown'}"
    if cache.add(key, 1, timeout=window):
        return True
    try:
        hits = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return True
    return hits <= limit
