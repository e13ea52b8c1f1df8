"""Runs whose worker died are ended, not left RUNNING forever.

Every worker process has an owner id (:func:`~server.service.orchestration.worker_id`) and
beats a heartbeat on the runs it holds (one UPDATE for all of them) every ``lease / 4``
seconds. Every worker, when it starts and every ``lease / 2`` seconds after, ends as
FAILED (``INTERRUPTED: …``) the RUNNING runs whose heartbeat is older than ``lease``:
their worker was killed, or lost the database for longer than that. So with several
workers on one PostgreSQL a live worker's runs are never touched (their heartbeats are
fresh), and a dead worker's runs end within about ``1.5 × lease`` of its death, ended by
whichever worker sweeps first (the store ends each run once:
:meth:`~server.store.port.RunStore.interrupt_stale`). A worker that restarts is a new
owner: its predecessor's runs are swept like any other's.

Why a lease and not "the runs of this worker" at start-up: a worker cannot tell its own
dead predecessor from a live sibling on another machine, and a database lock as a sign
of life would vanish with every reconnect. A worker stopped cleanly ends its own runs at
once (:meth:`~server.service.runs.RunManager.stop`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta

import anyio.to_thread

from server.service.orchestration import ClassificationService
from server.store.errors import StoreError
from server.store.port import RunRecord

log = logging.getLogger(__name__)


def interrupted_text(lease: float) -> str:
    return (
        "INTERRUPTED: the server running it stopped before the run finished (no sign of "
        f"life for {lease:g} s); the Summary may or may not have been written. Run it again."
    )


class Lease:
    def __init__(
        self,
        service: ClassificationService,
        lease: float,
        *,
        holding: Callable[[], int],
        on_interrupted: Callable[[list[RunRecord]], None],
    ) -> None:
        self._service = service
        self.lease = lease
        self._holding = holding  # how many runs this worker holds now
        self._on_interrupted = on_interrupted

    async def beat(self) -> None:
        """Tell the store this worker's runs are alive (when it holds any)."""
        if not self._holding():
            return
        store, owner, now = self._service.store, self._service.owner, self._service.now()
        try:
            await anyio.to_thread.run_sync(store.heartbeat, owner, now)
        except StoreError:
            log.warning("heartbeat not recorded: the run store failed (see above)")

    async def sweep(self) -> list[RunRecord]:
        """End the runs whose worker stopped beating; they are handed to ``on_interrupted``."""
        now = self._service.now()
        before = now - timedelta(seconds=self.lease)
        try:
            ended = await anyio.to_thread.run_sync(
                self._service.store.interrupt_stale, before, interrupted_text(self.lease), now
            )
        except StoreError:
            log.warning("runs of stopped workers not swept: the run store failed (see above)")
            return []
        if ended:
            log.warning(
                "ended %d run(s) whose worker stopped: %s",
                len(ended),
                ", ".join(run.id for run in ended),
            )
            self._on_interrupted(ended)
        return ended

    async def keep(self) -> None:
        """Sweep now, then beat and sweep on their periods until cancelled."""
        await self.sweep()
        tick = 0
        while True:
            await asyncio.sleep(self.lease / 4)
            tick += 1
            await self.beat()
            if tick % 2 == 0:
                await self.sweep()
