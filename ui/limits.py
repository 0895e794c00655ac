"""Per-client token buckets for the HTTP API's session creation, messages and feedback.

A bucket holds up to `burst` requests and refills at `per_minute`; an empty one answers
429 with the seconds until its next token (Retry-After). Buckets live in memory, one set
per server process, the least recently used dropped beyond `MAX_CLIENTS` (a dropped
bucket was idle, so it would be full again anyway). Simplified on purpose: not shared
between processes, and a restart refills every bucket.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from catalog.errors import ShopAssistError
from shopassist.settings import LimitSettings, RateLimit

MAX_CLIENTS = 100_000
WHAT = {"sessions": "new sessions", "messages": "messages", "feedback": "feedback requests"}


class RateLimited(ShopAssistError):
    """A client over its rate; try again after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RateLimiter:
    def __init__(self, limits: LimitSettings, clock: Callable[[], float] = time.monotonic) -> None:
        self._limits: dict[str, RateLimit] = {kind: getattr(limits, kind) for kind in WHAT}
        self._clock = clock
        self._buckets: OrderedDict[tuple[str, str], tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, kind: str, client: str | None) -> None:
        """Spend one of `client`'s `kind` tokens, or raise RateLimited. None = not limited."""
        limit = self._limits[kind]
        if client is None or limit.per_minute <= 0:
            return
        rate = limit.per_minute / 60.0  # tokens a second
        now = self._clock()
        key = (kind, client)
        with self._lock:
            tokens, then = self._buckets.pop(key, (float(limit.burst), now))
            tokens = min(float(limit.burst), tokens + (now - then) * rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                wait = max(1, math.ceil((1.0 - tokens) / rate))
                raise RateLimited(
                    f"too many {WHAT[kind]} from this client (at most {limit.per_minute:g} a "
                    f"minute, {limit.burst} at once): try again in {wait} s",
                    wait,
                )
            self._buckets[key] = (tokens - 1.0, now)
            while len(self._buckets) > MAX_CLIENTS:
                self._buckets.popitem(last=False)
