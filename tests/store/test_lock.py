"""``spreadsheet_lock``: one writer per spreadsheet at a time, across stores and processes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from server import budget
from server.store.errors import LockTimeout
from server.store.locks import KeyedLocks, advisory_key, file_lock, lock_file_name
from tests.store.conftest import MakeStore

ROOT = Path(__file__).resolve().parents[2]


def test_two_holders_take_turns(make_store: MakeStore) -> None:
    first, second = make_store(), make_store()
    events: list[tuple[str, float]] = []
    first_in, second_in, second_waiting = threading.Event(), threading.Event(), threading.Event()

    def hold_first() -> None:
        with first.spreadsheet_lock("sheet-1"):
            events.append(("first in", time.monotonic()))
            first_in.set()
            second_waiting.wait(10)
            time.sleep(0.3)  # the second holder is blocked all this time
            events.append(("first out", time.monotonic()))

    def hold_second() -> None:
        first_in.wait(10)
        second_waiting.set()
        with second.spreadsheet_lock("sheet-1"):
            events.append(("second in", time.monotonic()))
            second_in.set()

    threads = [threading.Thread(target=hold_first), threading.Thread(target=hold_second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert second_in.is_set()
    assert [name for name, _ in events] == ["first in", "first out", "second in"]
    assert events[2][1] >= events[1][1]


def test_other_spreadsheets_are_not_blocked(make_store: MakeStore) -> None:
    first, second = make_store(), make_store()
    done = threading.Event()
    with first.spreadsheet_lock("sheet-1"):

        def other() -> None:
            with second.spreadsheet_lock("sheet-2"):
                done.set()

        thread = threading.Thread(target=other)
        thread.start()
        assert done.wait(10)
        thread.join(10)


def test_the_lock_is_released_when_the_body_fails(make_store: MakeStore) -> None:
    first, second = make_store(), make_store()
    with pytest.raises(RuntimeError, match="write failed"), first.spreadsheet_lock("sheet-1"):
        raise RuntimeError("write failed")
    acquired = threading.Event()

    def take() -> None:
        with second.spreadsheet_lock("sheet-1"):
            acquired.set()

    thread = threading.Thread(target=take)
    thread.start()
    assert acquired.wait(10)
    thread.join(10)


def test_a_waiter_gives_up_after_the_lock_timeout(make_sql_store: MakeStore) -> None:
    holder, waiter = make_sql_store(), make_sql_store(lock_timeout=0.3)
    with holder.spreadsheet_lock("sheet-1"):
        started = time.monotonic()
        with pytest.raises(LockTimeout) as caught, waiter.spreadsheet_lock("sheet-1"):
            pytest.fail("the lock was held by the other store")
        assert 0.25 <= time.monotonic() - started < 5
    assert caught.value.spreadsheet_id == "sheet-1"
    with waiter.spreadsheet_lock("sheet-1"):  # free again
        pass


def test_a_wait_for_the_lock_ends_with_the_request_s_budget(make_store: MakeStore) -> None:
    """The store waits 120 s by default; a request with 0.3 s left waits 0.3 s."""
    holder, waiter = make_store(), make_store(lock_timeout=120)
    with holder.spreadsheet_lock("sheet-1"):
        started = time.monotonic()
        with (
            budget.within(0.3),
            pytest.raises(LockTimeout),
            waiter.spreadsheet_lock("sheet-1"),
        ):
            pytest.fail("the lock was held by the other store")
        assert 0.25 <= time.monotonic() - started < 5


HOLDER = textwrap.dedent(
    """
    import sys
    from server.store.sql import SqlRunStore

    store = SqlRunStore(sys.argv[1])
    with store.spreadsheet_lock("sheet-1"):
        print("locked", flush=True)
        sys.stdin.readline()  # until told (or killed)
    print("released", flush=True)
    """
)


def _start_holder(url: str) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, url],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "locked"
    return holder


@pytest.mark.parametrize("kill", [False, True], ids=["released", "killed"])
def test_another_process_waits_for_the_holder(make_sql_store: MakeStore, kill: bool) -> None:
    holder = _start_holder(make_sql_store.url)
    store = make_sql_store()
    acquired = threading.Event()

    def take() -> None:
        with store.spreadsheet_lock("sheet-1"):
            acquired.set()

    thread = threading.Thread(target=take, daemon=True)
    try:
        thread.start()
        assert not acquired.wait(0.5), "the lock of another process was not respected"
        if kill:
            holder.kill()  # a crashed process must not leave the spreadsheet locked
        else:
            assert holder.stdin is not None
            holder.stdin.write("\n")
            holder.stdin.flush()
        assert acquired.wait(20)
    finally:
        holder.kill()
        holder.communicate(timeout=10)  # reaps it and closes the pipes
        thread.join(20)


def test_keyed_locks_forget_unused_keys() -> None:
    locks = KeyedLocks()
    with locks.hold("a"), locks.hold("b"):
        assert len(locks) == 2
    assert len(locks) == 0


def test_the_advisory_key_is_stable_and_signed_64_bit() -> None:
    assert advisory_key("sheet-1") == advisory_key("sheet-1")
    assert advisory_key("sheet-1") != advisory_key("sheet-2")
    keys = [advisory_key(f"sheet-{n}") for n in range(1000)]
    assert all(-(2**63) <= key < 2**63 for key in keys)
    assert any(key < 0 for key in keys)


def test_lock_files_do_not_outlive_their_use(tmp_path: Path) -> None:
    """Each holder removes its file; many holders racing on a few ids still take turns."""
    path = tmp_path / "runs.sqlite3.locks"
    inside: dict[str, int] = {}
    overlaps: list[str] = []
    guard = threading.Lock()

    def hold(name: str) -> None:
        with file_lock(path / lock_file_name(name), name, timeout=30):
            with guard:
                inside[name] = inside.get(name, 0) + 1
                if inside[name] > 1:
                    overlaps.append(name)
            time.sleep(0.002)
            with guard:
                inside[name] -= 1

    threads = [threading.Thread(target=hold, args=(f"sheet-{i % 4}",)) for i in range(80)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert overlaps == [], "two holders of one lock at once"
    for i in range(200):
        with file_lock(path / lock_file_name(f"other-{i}"), f"other-{i}"):
            pass
    assert list(path.iterdir()) == [], "no lock file is left behind"
