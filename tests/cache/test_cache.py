"""The one cache helper: expiry, least-recently-used eviction, nothing kept when disabled."""

from __future__ import annotations

from server.cache import TtlCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_an_entry_expires_after_its_ttl() -> None:
    clock = Clock()
    cache: TtlCache[str, int] = TtlCache(10, clock=clock)
    cache.put("a", 1)
    clock.now = 9.9
    assert cache.get("a") == 1
    clock.now = 10.0
    assert cache.get("a") is None
    assert len(cache) == 0


def test_the_least_recently_used_entry_goes_first() -> None:
    cache: TtlCache[str, int] = TtlCache(size=2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "b" is now the least recently used
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)


def test_update_keeps_the_expiry_and_put_renews_it() -> None:
    clock = Clock()
    cache: TtlCache[str, int] = TtlCache(10, clock=clock)
    cache.put("a", 1)
    clock.now = 8
    cache.update("a", 2)
    clock.now = 10
    assert cache.get("a") is None
    cache.update("b", 3)  # a new key gets a fresh expiry
    cache.put("c", 4)
    clock.now = 19.9
    assert (cache.get("b"), cache.get("c")) == (3, 4)


def test_zero_ttl_or_size_keeps_nothing() -> None:
    for cache in (TtlCache[str, int](0), TtlCache[str, int](size=0)):
        cache.put("a", 1)
        assert cache.get("a") is None


def test_discard_where_and_clear() -> None:
    cache: TtlCache[tuple[str, str], int] = TtlCache()
    cache.put(("s1", "ana"), 1)
    cache.put(("s1", "ben"), 2)
    cache.put(("s2", "ana"), 3)
    cache.discard_where(lambda key: key[0] == "s1")
    assert (cache.get(("s1", "ana")), cache.get(("s2", "ana"))) == (None, 3)
    cache.discard(("s2", "ana"))
    assert len(cache) == 0
    cache.put(("s3", "x"), 4)
    cache.clear()
    assert cache.get(("s3", "x")) is None
