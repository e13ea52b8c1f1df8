"""The Google Sheets adapter: :class:`GspreadSheets` implements the port with gspread 6.

A classification costs at most three Sheets API requests, two when the spreadsheet's
metadata is cached:

1. ``GET /v4/spreadsheets/ID?includeGridData=false&fields=…`` — tab titles, ids, grid
   sizes, chart ids, our Summary mark (developer metadata), and the spreadsheet's locale
   and time zone (``properties(title,locale,timeZone)``). :meth:`~GspreadSheets.open`
   asks it before the run takes its spreadsheet lock (so a bad token or a sheet the caller
   cannot open never gets that far) and the read uses that answer; otherwise it is skipped
   while a cached copy, per spreadsheet and credentials, is younger than ``metadata_ttl``
   and knows every tab;
2. one ``values.batchGet`` of the input tabs, the optional ones that exist (Leads, Rates:
   one missing is no error and no request) and the existing Summary tab (for the
   user's Notes), ``UNFORMATTED_VALUE`` / ``SERIAL_NUMBER``; tabs larger than
   ``chunk_cells`` are read in blocks of rows, packed into batchGets of about that size,
   two in flight, each parsed from its bytes with the collector paused
   (:mod:`sheets_adapter.values`: a sheet at the 10M-cell limit in about the time of one
   bare batchGet of it);
3. one atomic ``spreadsheets.batchUpdate`` that replaces the Summary tab
   (:mod:`sheets_adapter.render`).

Stale cache: a batchGet answered "Unable to parse range" (a tab was deleted) refreshes the
metadata once and reads again; a rejected write refreshes it once and writes again, unless
the Summary tab appeared, vanished or was replaced since it was read (then
:class:`SummaryChanged`: the Notes would be lost; the service reads again). After a write
the cache is updated with the tab it wrote, for every caller's cached tab list of that
spreadsheet (the tab list is the spreadsheet's; a caller's entry exists only once their
own token has opened it). A write into an existing tab that does not
carry our mark is refused (:class:`SummaryTabTaken`) unless it is the very tab the service
read and judged a Summary of ours; rows are appended only to a History tab that carries
our History mark (set when this product created it).

Service-account mode: :meth:`~GspreadSheets.sharing` lists the sheet's Drive permissions
(``permissions.list``, every page), so the service can check the caller's own access.

The port is synchronous; callers on an event loop run it in a worker thread. The
adapter is thread-safe: sessions are lent to one thread at a time, caches are locked.
"""

from __future__ import annotations

import contextvars
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from gspread.http_client import HTTPClient, ParamsType
from gspread.urls import DRIVE_FILES_API_V3_URL, SPREADSHEET_VALUES_BATCH_URL

from server.cache import TtlCache
from server.quoting import clean, quoted
from sheets_adapter.calls import ApiCaller, RangeNotFound
from sheets_adapter.config import AppSettings, SheetsSettings
from sheets_adapter.errors import (
    BadRequest,
    PermissionDenied,
    SheetTooLarge,
    SpreadsheetNotFound,
    SummaryChanged,
    SummaryTabTaken,
    TabNotFound,
    UpstreamUnavailable,
)
from sheets_adapter.identity import email_behind
from sheets_adapter.ids import is_spreadsheet_id
from sheets_adapter.metadata import (
    HISTORY_MARK,
    METADATA_FIELDS,
    RangeChunk,
    SheetInfo,
    SpreadsheetMeta,
    assemble,
    pack_batches,
    parse_metadata,
    plan_chunks,
)
from sheets_adapter.port import (
    Share,
    SheetsAuth,
    SheetsPort,
    SpreadsheetSnapshot,
    SummarySheet,
    TabGrid,
    UserToken,
)
from sheets_adapter.render import Target, WritePlan, plan_write
from sheets_adapter.retry import RequestCounter, Retrier
from sheets_adapter.values import gc_paused, parse

READ_PARAMS = {
    "valueRenderOption": "UNFORMATTED_VALUE",
    "dateTimeRenderOption": "SERIAL_NUMBER",
    "majorDimension": "ROWS",
}
MAX_SHEET_ID = 2**31 - 1
#: A tab list fetched this recently (by ``open`` before the run's lock) serves the read.
FRESH_SECONDS = 2.0
#: Drive permission pages read at most (100 each): beyond them, sharing is not read.
MAX_SHARE_PAGES = 50


__all__ = ["GspreadSheets", "GspreadSnapshot", "SummaryChanged", "check_id"]


def check_id(spreadsheet_id: str) -> None:
    """Only a spreadsheet id (:mod:`sheets_adapter.ids`) reaches Google."""
    if not is_spreadsheet_id(spreadsheet_id):
        raise SpreadsheetNotFound(
            clean(spreadsheet_id, 80),
            f"{quoted(spreadsheet_id)} is not a spreadsheet id. Use the part of the "
            "spreadsheet's URL between /d/ and /edit.",
        )


@dataclass(frozen=True)
class GspreadSnapshot(SpreadsheetSnapshot):
    """A snapshot that remembers the metadata it was read with, for the write."""

    meta: SpreadsheetMeta | None = None
    identity: str = ""


class GspreadSheets(SheetsPort):
    """Reads the input tabs and writes the Summary tab through gspread and google-auth."""

    def __init__(
        self,
        settings: SheetsSettings | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings or SheetsSettings()
        self._rng = rng or random.Random()
        self._rng_lock = threading.Lock()
        retrier = Retrier(self.settings.retry, clock=clock, sleep=sleep, rng=self._rng)
        self._api = ApiCaller(self.settings, retrier)
        self._clock = clock
        # (spreadsheet, credentials) -> (when fetched, the tab list)
        self._meta: TtlCache[tuple[str, str], tuple[float, SpreadsheetMeta]] = TtlCache(
            self.settings.metadata_ttl, self.settings.cache_size, clock
        )

    @classmethod
    def from_settings(cls, settings: SheetsSettings | AppSettings) -> GspreadSheets:
        """From the adapter's settings or the app's (``server.config.Settings``)."""
        if not isinstance(settings, SheetsSettings):
            settings = SheetsSettings.from_app_settings(settings)
        return cls(settings)

    @property
    def requests(self) -> RequestCounter:
        """Every HTTP request sent (attempts, retries included), by kind."""
        return self._api.counter

    def close(self) -> None:
        self._api.close()

    @property
    def service_account_email(self) -> str | None:
        return self._api.service_account_email

    def email_of(self, auth: UserToken) -> str | None:
        return email_behind(self._api, auth)

    def forget(self) -> None:
        """Drop every cached tab list."""
        self._meta.clear()

    # -- metadata ------------------------------------------------------------------------

    def _fetch_metadata(self, spreadsheet_id: str, auth: SheetsAuth) -> SpreadsheetMeta:
        params: ParamsType = {"includeGridData": "false", "fields": METADATA_FIELDS}

        def op(http: HTTPClient) -> Mapping[str, Any]:
            return http.fetch_sheet_metadata(spreadsheet_id, params=dict(params))

        meta = parse_metadata(spreadsheet_id, self._api.call(spreadsheet_id, auth, "read", op))
        identity = self._api.identity(auth)
        self._meta.put((spreadsheet_id, identity), (self._clock(), meta))
        return meta

    def _metadata(self, spreadsheet_id: str, auth: SheetsAuth) -> tuple[SpreadsheetMeta, float]:
        """The metadata and its age in seconds (0 when just fetched)."""
        cached = self._meta.get((spreadsheet_id, self._api.identity(auth)))
        if cached is not None:
            fetched_at, meta = cached
            return meta, self._clock() - fetched_at
        return self._fetch_metadata(spreadsheet_id, auth), 0.0

    # -- read ----------------------------------------------------------------------------

    def read(
        self,
        spreadsheet_id: str,
        tabs: Sequence[str],
        summary_tab: str,
        auth: SheetsAuth,
        *,
        optional: Sequence[str] = (),
    ) -> GspreadSnapshot:
        check_id(spreadsheet_id)
        identity = self._api.identity(auth)
        wanted = list(dict.fromkeys(tabs))
        extras = [title for title in dict.fromkeys(optional) if title not in wanted]
        meta, age = self._metadata(spreadsheet_id, auth)
        if age > FRESH_SECONDS and not self._cache_will_do(meta, wanted, summary_tab, extras):
            meta = self._fetch_metadata(spreadsheet_id, auth)
        for tries_left in (1, 0):
            found = self._find_tabs(meta, wanted)
            found.update(
                (title, sheet) for title in extras if (sheet := meta.find(title)) is not None
            )
            summary = meta.find(summary_tab)
            titles = list(dict.fromkeys(s.title for s in found.values()))
            if summary is not None and summary.title not in titles:
                titles.append(summary.title)
            self._check_size(meta, titles)
            try:
                with gc_paused():  # millions of row lists: see sheets_adapter.values
                    grids = self._read_values(spreadsheet_id, auth, meta, titles)
                break
            except RangeNotFound:
                if not tries_left:
                    raise
                meta = self._fetch_metadata(spreadsheet_id, auth)
        return GspreadSnapshot(
            spreadsheet_id=spreadsheet_id,
            title=meta.title,
            sheet_ids=meta.sheet_ids,
            tabs={asked: grids[sheet.title] for asked, sheet in found.items()},
            summary=grids[summary.title] if summary is not None else None,
            locale=meta.locale,
            time_zone=meta.time_zone,
            summary_marked=summary is not None and summary.is_our_summary,
            meta=meta,
            identity=identity,
        )

    def _cache_will_do(
        self, meta: SpreadsheetMeta, wanted: list[str], summary_tab: str, optional: list[str]
    ) -> bool:
        """Cached metadata is trusted for a read when it was fetched a moment ago (by
        :meth:`open`, just before this run took its spreadsheet lock), or when it knows
        every tab asked for and no tab is big enough to be read in chunks (those need
        current grid sizes). A Summary tab it does not know is taken as absent: should
        one have been created elsewhere meanwhile, Google refuses the write that would
        add a second, the adapter looks again and the service reads again
        (:class:`SummaryChanged`, see :meth:`_write`), so its Notes are never lost; and
        every run on a sheet that has no Summary yet (its first) saves a request.

        An optional tab (Leads, Rates) the cache does not know is taken as absent: most
        sheets have none, and asking again would cost every warm run a request. One added
        by hand is read once the cached copy expires (``metadata_ttl``)."""
        needed = [meta.find(title) for title in wanted]
        present = [
            sheet for title in [*optional, summary_tab] if (sheet := meta.find(title)) is not None
        ]
        return all(
            sheet is not None and sheet.cells <= self.settings.chunk_cells
            for sheet in [*needed, *present]
        )

    def _check_size(self, meta: SpreadsheetMeta, titles: list[str]) -> None:
        """Refuse, from the grid sizes alone, tabs bigger than a run may read."""
        sizes = []
        for title in titles:
            sheet = meta.find(title)
            if sheet is not None:
                sizes.append((sheet.title, sheet.row_count, sheet.column_count))
        if sum(rows * columns for _, rows, columns in sizes) > self.settings.max_cells:
            raise SheetTooLarge(meta.spreadsheet_id, sizes, self.settings.max_cells)

    @staticmethod
    def _find_tabs(meta: SpreadsheetMeta, wanted: list[str]) -> dict[str, SheetInfo]:
        found = {}
        for title in wanted:
            sheet = meta.find(title)
            if sheet is None:
                raise TabNotFound(meta.spreadsheet_id, title, meta.titles)
            found[title] = sheet
        return found

    def _read_values(
        self, spreadsheet_id: str, auth: SheetsAuth, meta: SpreadsheetMeta, titles: list[str]
    ) -> dict[str, TabGrid]:
        plans: dict[str, list[RangeChunk]] = {}
        for title in titles:
            sheet = meta.find(title)
            assert sheet is not None
            plans[title] = plan_chunks(sheet, self.settings.chunk_cells)
        # Tabs read in blocks first: the small whole tabs then ride along with the last block.
        ordered = sorted(titles, key=lambda title: len(plans[title]) == 1)
        chunks = [chunk for title in ordered for chunk in plans[title]]
        batches = pack_batches(chunks, self.settings.chunk_cells)

        def read(batch: list[RangeChunk]) -> list[list[list[Any]]]:
            return self._batch_get(spreadsheet_id, auth, batch)

        if len(batches) > 1:
            # Two batchGets in flight: the next block is on its way (the socket read lets
            # go of the GIL) while this one is parsed. No more: the read quota is per user.
            # Each in a copy of this thread's context: the request's budget goes along.
            contexts = [contextvars.copy_context() for _ in batches]
            with ThreadPoolExecutor(2, thread_name_prefix="sheets-batch-get") as pool:
                answers = list(pool.map(lambda c, b: c.run(read, b), contexts, batches))
        else:
            answers = [read(batch) for batch in batches]
        values = {
            chunk: rows
            for batch, answer in zip(batches, answers, strict=True)
            for chunk, rows in zip(batch, answer, strict=True)
        }
        grids = {}
        for title in titles:
            sheet = meta.find(title)
            assert sheet is not None
            rows = assemble(plans[title], [values[c] for c in plans[title]])
            grids[title] = TabGrid(title=sheet.title, sheet_id=sheet.sheet_id, values=rows)
        return grids

    def _batch_get(
        self, spreadsheet_id: str, auth: SheetsAuth, batch: list[RangeChunk]
    ) -> list[list[list[Any]]]:
        """One ``values.batchGet``: each range's rows, in order."""
        ranges = [chunk.a1 for chunk in batch]

        def op(http: HTTPClient) -> Any:
            # gspread's values_batch_get, parsed from the bytes (sheets_adapter.values)
            response = http.request(
                "get",
                SPREADSHEET_VALUES_BATCH_URL % spreadsheet_id,
                params={**READ_PARAMS, "ranges": ranges},
            )
            return parse(response.content)

        answer = self._api.call(spreadsheet_id, auth, "read", op)
        value_ranges = answer.get("valueRanges") if isinstance(answer, Mapping) else None
        if not isinstance(value_ranges, list) or len(value_ranges) != len(batch):
            raise UpstreamUnavailable(
                spreadsheet_id, "Google Sheets sent an incomplete answer. Try again."
            )
        return [list(value_range.get("values") or []) for value_range in value_ranges]

    # -- write ---------------------------------------------------------------------------

    def write_summary(
        self,
        snapshot: SpreadsheetSnapshot,
        summary: SummarySheet,
        auth: SheetsAuth,
    ) -> None:
        spreadsheet_id = snapshot.spreadsheet_id
        check_id(spreadsheet_id)
        identity = self._api.identity(auth)
        key = (spreadsheet_id, identity)
        if (
            isinstance(snapshot, GspreadSnapshot)
            and snapshot.meta
            and snapshot.identity == identity
        ):
            meta = snapshot.meta
        else:
            meta, _ = self._metadata(spreadsheet_id, auth)

        # The tab list is the spreadsheet's, whoever asked: after a write, every caller's
        # cached copy is brought up to date (or dropped), so the next caller's run does
        # not write against a tab list from before this one's Summary.
        def same_sheet(cached: tuple[str, str]) -> bool:
            return cached[0] == spreadsheet_id

        try:
            after = self._write(spreadsheet_id, auth, meta, snapshot, summary)
        except BaseException:
            self._meta.discard_where(same_sheet)  # the write may or may not have landed
            raise
        if after is None:
            self._meta.discard_where(same_sheet)
        else:
            fresh = (self._clock(), after)
            self._meta.update_where(same_sheet, fresh)
            self._meta.update(key, fresh)

    def _write(
        self,
        spreadsheet_id: str,
        auth: SheetsAuth,
        meta: SpreadsheetMeta,
        snapshot: SpreadsheetSnapshot,
        summary: SummarySheet,
    ) -> SpreadsheetMeta | None:
        """Send the batchUpdate; on a 400 look again at the spreadsheet once. Returns the
        metadata as it is after the write (None when that is not known)."""
        for tries_left in (1, 0):
            target = self._target(meta, summary.title)
            if target.exists and not target.marked and not self._judged(snapshot, target):
                raise SummaryTabTaken(spreadsheet_id, target.title)
            history = None
            if summary.history is not None:
                history = self._target(meta, summary.history.title, taken=target.sheet_id)
                if history.exists and not history.marked:
                    raise SummaryTabTaken(spreadsheet_id, history.title, option="historyTab")
            plan = plan_write(summary, target, history)
            body = {"requests": plan.requests}

            def op(http: HTTPClient, body: dict[str, Any] = body) -> Any:
                return http.batch_update(spreadsheet_id, body)

            try:
                answer = self._api.call(spreadsheet_id, auth, "write", op)
            except BadRequest:
                if not tries_left:
                    raise
                current = self._fetch_metadata(spreadsheet_id, auth)
                landed = current.find(summary.title)
                if not target.exists and landed is not None and landed.sheet_id == target.sheet_id:
                    return current  # an earlier attempt that timed out did apply
                if self._replaced(snapshot, landed):
                    raise SummaryChanged(
                        spreadsheet_id,
                        f"The {quoted(summary.title)} tab was created, deleted or replaced "
                        "while the classification ran, so it was left as it is. Run it again.",
                        status=400,
                    ) from None
                if current == meta:
                    raise
                meta = current
                continue
            return self._after_write(meta, target, plan, answer, history)
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _replaced(snapshot: SpreadsheetSnapshot, landed: SheetInfo | None) -> bool:
        """The Summary's tab is not the one the snapshot read (so not the one judged):
        it appeared, vanished, or another tab of the same name took its place."""
        read = snapshot.summary
        if (landed is None) or (read is None):
            return (landed is None) != (read is None)
        return landed.sheet_id != read.sheet_id and not landed.is_our_summary

    @staticmethod
    def _judged(snapshot: SpreadsheetSnapshot, target: Target) -> bool:
        """An unmarked tab is written only when it is the very tab the service read and
        judged a Summary of ours (one of the previous version, adopted and marked now)."""
        return snapshot.summary is not None and snapshot.summary.sheet_id == target.sheet_id

    def _target(self, meta: SpreadsheetMeta, title: str, taken: int | None = None) -> Target:
        """The tab named ``title``, or a new one with a free sheetId (not ``taken``): the
        Summary's, or with ``taken`` (the Summary's id) the History tab's, ``marked``
        with the mark of its kind."""
        sheet = meta.find(title)
        if sheet is not None:
            return Target(
                sheet.sheet_id,
                sheet.title,
                exists=True,
                row_count=sheet.row_count,
                column_count=sheet.column_count,
                chart_ids=sheet.chart_ids,
                marked=sheet.is_our_summary if taken is None else sheet.is_our_history,
                stale_marks=sheet.stale_marks,
            )
        used = {s.sheet_id for s in meta.sheets} | ({taken} if taken is not None else set())
        with self._rng_lock:
            sheet_id = self._rng.randint(1, MAX_SHEET_ID)
            while sheet_id in used:
                sheet_id = self._rng.randint(1, MAX_SHEET_ID)
        # a second new tab (History, beside a new Summary) goes last
        return Target(
            sheet_id, title, exists=False, index=None if taken is not None else len(meta.sheets)
        )

    @staticmethod
    def _after_write(
        meta: SpreadsheetMeta,
        target: Target,
        plan: WritePlan,
        answer: Any,
        history: Target | None = None,
    ) -> SpreadsheetMeta | None:
        """The metadata with the Summary tab as written (its id, size and new chart) and
        the History tab as appended to."""
        charts = []
        marks = []
        history_marks = []
        replies = answer.get("replies") if isinstance(answer, Mapping) else None
        for reply in replies or ():
            chart = (reply or {}).get("addChart", {}).get("chart", {})
            if "chartId" in chart:
                charts.append(int(chart["chartId"]))
            mark = (reply or {}).get("createDeveloperMetadata", {}).get("developerMetadata", {})
            if (
                "metadataId" in mark
                and history is not None
                and mark.get("metadataKey") == HISTORY_MARK
            ):
                history_marks.append((int(mark["metadataId"]), str(history.sheet_id)))
            elif "metadataId" in mark:
                marks.append((int(mark["metadataId"]), str(target.sheet_id)))
        if plan.has_chart and not charts:
            return None  # the chart's id is unknown: it could not be deleted next time
        old = meta.find(target.title) if target.exists else None
        if target.marked and old is not None:
            marks = [m for m in old.marks if m[0] not in target.stale_marks]
        if not marks:
            return None  # the mark's id is unknown: read the tab list again next time
        index = old.index if old is not None else len(meta.sheets)
        info = SheetInfo(
            target.sheet_id,
            target.title,
            index,
            plan.row_count,
            plan.column_count,
            tuple(charts),
            tuple(marks),
        )
        meta = meta.with_sheet(info)
        if history is not None and plan.history_size is not None:
            old_history = meta.find(history.title) if history.exists else None
            if old_history is not None:
                history_marks = list(old_history.history_marks)
            if not history_marks:
                return None  # the History mark's id is unknown: read the tab list again
            at = old_history.index if old_history is not None else len(meta.sheets)
            meta = meta.with_sheet(
                SheetInfo(
                    history.sheet_id,
                    history.title,
                    at,
                    *plan.history_size,
                    history_marks=tuple(history_marks),
                )
            )
        return meta

    # -- access --------------------------------------------------------------------------

    def open(self, spreadsheet_id: str, auth: SheetsAuth) -> None:
        check_id(spreadsheet_id)
        self._fetch_metadata(spreadsheet_id, auth)

    def can_open(self, spreadsheet_id: str, auth: SheetsAuth) -> bool:
        try:
            self.open(spreadsheet_id, auth)
        except (PermissionDenied, SpreadsheetNotFound):
            return False
        return True

    def sharing(self, spreadsheet_id: str, auth: SheetsAuth) -> tuple[Share, ...]:
        """Drive's ``permissions.list``, every page (at most :data:`MAX_SHARE_PAGES`)."""
        check_id(spreadsheet_id)
        url = f"{DRIVE_FILES_API_V3_URL}/{spreadsheet_id}/permissions"
        shares: list[Share] = []
        page: str | None = None
        for _ in range(MAX_SHARE_PAGES):
            params: ParamsType = {
                "fields": "nextPageToken,permissions(type,role,emailAddress,domain)",
                "pageSize": 100,
                "supportsAllDrives": "true",
            }
            if page:
                params["pageToken"] = page

            def op(http: HTTPClient, params: ParamsType = params) -> Any:
                return http.request("get", url, params=params).json()

            answer = self._api.call(spreadsheet_id, auth, "read", op)
            if not isinstance(answer, Mapping):
                break
            shares += [_share(p) for p in answer.get("permissions") or () if isinstance(p, dict)]
            page = answer.get("nextPageToken")
            if not page:
                break
        return tuple(shares)


def _share(permission: Mapping[str, Any]) -> Share:
    return Share(
        kind=str(permission.get("type", "")),
        role=str(permission.get("role", "")),
        email=permission.get("emailAddress"),
        domain=permission.get("domain"),
    )
