"""A token bucket per client address, counted in this process's memory.

In-memory counting gives n server processes n times the rate (SECURITY.md, "Rate limits"); that
is enough where the limit only keeps one cheap endpoint (/healthz) from being used to load the
database and the disk, and no account is protected by it. Sign-in throttling counts in the
database instead.
"""
import threading
import time


class TokenBucket:
    """At most `per_minute` requests a minute per key, with bursts of up to `per_minute`."""

    def __init__(self, per_minute: int, *, max_keys: int = 10_000, clock=time.monotonic):
        self.capacity = float(per_minute)
        self.refill_per_second = per_minute / 60.0
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, when counted)
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Take a token for `key` if it has one."""
        now = self.clock()
        with self._lock:
            tokens, then = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - then) * self.refill_per_second)
            allowed = tokens >= 1.0
            self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
            if len(self._buckets) > self.max_keys:
                self._forget_full(now)
            return allowed

    def _forget_full(self, now: float) -> None:
        """Drop the keys whose buckets have refilled (they hold nothing); memory stays bounded."""
        full_after = self.capacity / self.refill_per_second
        self._buckets = {key: value for key, value in self._buckets.items() if now - value[1] < full_after}
        if len(self._buckets) > self.max_keys:  # a flood of distinct addresses: start counting afresh
            self._buckets.clear()
