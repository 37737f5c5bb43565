"""CACHE_URL: one cache shared by every gunicorn worker (Redis), or each process its own by default."""

import socket
import uuid

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory, override_settings

from interventions.feedback import throttle
from school_support.settings import cache_settings

REDIS_URL = "redis://127.0.0.1:6379/15"


def test_cache_url_chooses_the_backend():
    assert cache_settings("")["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert cache_settings(REDIS_URL)["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
    }
    with pytest.raises(ImproperlyConfigured, match="redis://"):
        cache_settings("memcached://127.0.0.1:11211")


def test_the_default_settings_run_without_a_cache_server():
    from django.conf import settings

    assert cache_settings("") == settings.CACHES


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="needs the Redis server at 127.0.0.1:6379")
def test_with_redis_the_feedback_rate_limit_is_counted_once_for_every_worker():
    """Two workers are two processes with their own connection: what one counts, the other sees."""
    import redis

    request = RequestFactory().get("/feedback/x/", REMOTE_ADDR="203.0.113.9")
    scope = f"test-{uuid.uuid4().hex}"  # runs on other checkouts may share the server
    key = f"throttle:{scope}:203.0.113.9"
    with override_settings(CACHES=cache_settings(REDIS_URL)):
        try:
            assert [throttle.allow(request, scope=scope, limit=3, window=60) for _ in range(4)] == [
                True,
                True,
                True,
                False,
            ]
            # Another worker's own connection to the same server reads the same count.
            other_worker = redis.Redis.from_url(REDIS_URL)
            stored = other_worker.keys(f"*{key}")
            assert len(stored) == 1 and int(other_worker.get(stored[0])) == 4
        finally:
            cache.delete(key)
