"""The cache as a shortcut: reads and writes that never fail a request. What is kept here can
always be worked out again (a thread's layout and rows, a group's similarity index), so when
Redis cannot be reached a read is a miss and a write is skipped, with a warning in the log.

`Memo` keeps a few entries in the process itself, in front of the cache, for keys that name the
version of what they hold (a new version, a new key): a hit costs no Redis round trip and no
unpickling, and it cannot be stale."""

import logging
import threading
from collections import OrderedDict
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


class Memo:
    """The `size` entries last used in this process, by key (least recently used out first).

    Only for keys that change whenever what they hold would: nothing here is ever invalidated.
    Thread-safe (a threaded server, the browser tests' live server)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()
        _memos.append(self)

    def get(self, key: str) -> Any:
        """The entry under `key`, or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: object) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_memos: list[Memo] = []


def memos_forget() -> None:
    """Empties every memo of this process (the cache is apart): for tests and benchmarks that
    empty the cache and mean it."""
    for memo in _memos:
        memo.clear()
