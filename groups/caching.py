"""The cache as a shortcut: reads and writes that never fail a request. What is kept here can
always be worked out again (a thread's layout and rows, a group's similarity index), so when
Redis cannot be reached a read is a miss and a write is skipped, with a warning in the log."""

import logging
from typing import Any

from django.core.cache import cache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def cache_read(key: str) -> Any:
    """What the cache holds under `key`, or None, also when the cache cannot be reached."""
    try:
        return cache.get(key)
    except (RedisError, OSError) as exc:
        logger.warning("cache: %s cannot be read: %s", key, exc)
        return None


def cache_write(key: str, entry: object, seconds: int) -> None:
    """Keeps `entry` under `key` for `seconds`; nothing when the cache cannot be reached."""
    try:
        cache.set(key, entry, seconds)
    except (RedisError, OSError) as exc:
        logger.warning("cache: %s cannot be written: %s", key, exc)
