"""What a header cell says: the words of a column's name, read for meaning.

A header such as ``Amount (converted)``, ``Deal - Won time``, ``Plan ($K)`` or
``Expected Revenue`` names both a kind of content and, often, how to read it: a unit
(``$K``, ``in millions``), a currency (``(EUR)``), a bookings basis (ACV, ARR, TCV,
MRR). :func:`describe` turns one header into a :class:`Header` with those facts; the
``is_*`` and ``*_kind`` predicates say what it may hold. The choice between several
candidates for one role is made in :mod:`server.classification.layout`.

Headers are matched in any case, with extra spaces, underscores or camelCase, and
with Pipedrive's ``Deal - `` prefix removed (``Deal - Value`` reads as ``Value``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from server.classification import quarters

# -- words ---------------------------------------------------------------------------------

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_WORD = re.compile(r"[^\W_]+")
_PREFIX = re.compile(r"^\s*(?:deal|opportunity|opp)\s+[-–:]\s+", re.IGNORECASE)


def words_of(text: str) -> tuple[str, ...]:
    """``'CloseDate (USD)'`` -> ``('close', 'date', 'usd')``."""
    return tuple(_WORD.findall(_CAMEL.sub(" ", text).casefold()))


# -- units, currencies and bases written in a header or a title ------------------------------

_UNIT_PATTERNS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"\bin\s+thousands\b|\bthousands\b|\(\s*000(?:'?s)?\s*\)|'000s?", re.I), 1000),
    # "Plan (000's)", German and Swiss "TEUR", "KEUR", "Tsd. €", "kUSD", "(in K)"
    (
        re.compile(r"\b000's\b|\b[tk](?:eur|usd|gbp|chf)\b|\btsd\b|\(\s*in\s+k\s*\)|\bT€", re.I),
        1000,
    ),
    (re.compile(r"[$€£¥]\s?000s?\b|\b000s\b", re.I), 1000),
    (
        re.compile(
            r"\(\s*[$€£¥]?\s*k\s*\)|(?<!\w)[$€£¥]k\b|\bk[$€£¥]|\b(?:usd|eur|gbp)\s*k\b", re.I
        ),
        1000,
    ),
    (re.compile(r"\bin\s+millions\b|\bmillions\b|\(\s*[$€£¥]?\s*(?:m|mm|mn)\s*\)", re.I), 10**6),
    # "MUSD", "MEUR", "Mio. €", "(in M)"
    (re.compile(r"\bm(?:eur|usd|gbp|chf)\b|\bmio\b|\(\s*in\s+m\s*\)", re.I), 10**6),
    # "Target £m", "$M", "€mn": a symbol and its unit after a space or at the start
    (re.compile(r"(?<!\w)[$€£¥](?:m|mm|mn)\b|\b(?:usd|eur|gbp)\s*(?:m|mm|mn)\b", re.I), 10**6),
)

#: ISO code -> symbols people write for it
CURRENCY_SYMBOLS: dict[str, tuple[str, ...]] = {
    "USD": ("$", "US$", "USD"),
    "EUR": ("€", "EUR"),
    "GBP": ("£", "GBP"),
    "JPY": ("¥", "JPY"),
    "INR": ("₹", "INR"),
    "KRW": ("₩", "KRW"),
    "RUB": ("₽", "RUB"),
    "CHF": ("CHF",),
    "CAD": ("CA$", "C$", "CAD"),
    "AUD": ("A$", "AU$", "AUD"),
    "NZD": ("NZ$", "NZD"),
    "SEK": ("SEK",),
    "NOK": ("NOK",),
    "DKK": ("DKK",),
    "CNY": ("CN¥", "RMB", "CNY"),
    "SGD": ("S$", "SGD"),
    "HKD": ("HK$", "HKD"),
    "BRL": ("R$", "BRL"),
    "MXN": ("MX$", "MXN"),
    "ZAR": ("ZAR",),
    "PLN": ("PLN", "zł"),
    "ILS": ("₪", "ILS"),
}
ISO_CODES = frozenset(CURRENCY_SYMBOLS)
#: what the Summary, the CLI and the sidebar put before an amount
DISPLAY_SYMBOL = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "KRW": "₩"}
DISPLAY_SYMBOL |= {"CAD": "CA$", "AUD": "A$", "NZD": "NZ$", "SGD": "S$", "HKD": "HK$"}
DISPLAY_SYMBOL |= {"BRL": "R$", "MXN": "MX$", "ILS": "₪", "CNY": "CN¥", "RUB": "₽"}
_CURRENCY_IN_TEXT = re.compile(
    r"\(\s*("
    + "|".join(sorted(ISO_CODES))
    + r")\s*\)|\bin\s+("
    + "|".join(sorted(ISO_CODES))
    + r")\b"
    r"|\(\s*([$€£¥₹])\s*[kKmM]{0,2}\s*\)|(?:^|\s)([$€£¥₹])\s*(?:000|k\b|m\b|mm\b|mn\b)",
    re.IGNORECASE,
)
_BASES = {"acv": "ACV", "arr": "ARR", "tcv": "TCV", "mrr": "MRR"}
_BASIS_PHRASES = (
    (re.compile(r"annual(?:ized)?\s+contract\s+value", re.I), "ACV"),
    (re.compile(r"total\s+contract\s+value", re.I), "TCV"),
    (re.compile(r"annual\s+recurring\s+revenue", re.I), "ARR"),
    (re.compile(r"monthly\s+recurring\s+revenue", re.I), "MRR"),
)


def unit_in(text: str) -> int | None:
    """1000 for ``Plan ($K)``, ``($000s)``, ``in thousands``; 1,000,000 for ``($M)``…"""
    for pattern, unit in _UNIT_PATTERNS:
        if pattern.search(text):
            return unit
    return None


def symbol_currency(symbol: str) -> str | None:
    """The ISO code of a symbol or code as written (``€`` -> EUR, ``usd`` -> USD)."""
    wanted = symbol.strip().upper()
    for code, symbols in CURRENCY_SYMBOLS.items():
        if wanted in (s.upper() for s in symbols):
            return code
    return None


def currency_in(text: str) -> str | None:
    """``Amount (EUR)`` -> EUR, ``Plan ($K)`` -> USD, ``in GBP`` -> GBP."""
    found = _CURRENCY_IN_TEXT.search(text)
    if found is None:
        return None
    return symbol_currency(next(g for g in found.groups() if g))


def basis_in(text: str) -> str | None:
    """The bookings basis a header or title names: ACV, ARR, TCV or MRR."""
    for pattern, basis in _BASIS_PHRASES:
        if pattern.search(text):
            return basis
    for word in words_of(text):
        if word in _BASES:
            return _BASES[word]
    return None


# -- one header --------------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    """A header cell read for meaning."""

    text: str  # as written, spaces collapsed
    words: tuple[str, ...]  # lower-case words, Pipedrive's "Deal - " prefix removed
    unit: int | None
    currency: str | None
    basis: str | None

    @property
    def name(self) -> str:
        return " ".join(self.words)

    @property
    def compact(self) -> str:
        return "".join(self.words)

    def has(self, *wanted: str) -> bool:
        """Any of ``wanted`` is one of the header's words (or its whole compact name)."""
        return any(w in self.words or w == self.compact for w in wanted)


def describe(cell: Any) -> Header | None:
    """A header cell as a :class:`Header`; None for an empty, non-text or huge cell."""
    if not isinstance(cell, str) or not cell.strip() or len(cell) > 200:
        return None
    text = " ".join(cell.split())
    return Header(
        text=text,
        words=words_of(_PREFIX.sub("", text)),
        unit=unit_in(text),
        currency=currency_in(text),
        basis=basis_in(text),
    )


# -- what a header may hold --------------------------------------------------------------

_PERIOD = {"quarter", "qtr", "fq", "period", "fiscalquarter", "fiscalperiod", "quarters"}
_MONTH = {"month", "fiscalmonth", "mon", "mth", "monthname", "bookingmonth", "closemonth", "months"}
_YEAR = {"year", "fy", "fiscalyear", "yr", "years", "fiscalyears"}


def is_period(h: Header) -> bool:
    """``Quarter``, ``Period``, ``Qtr``, ``Fiscal Quarter``, ``Fiscal Period``, and
    ``Quarter of Close Date`` (Tableau's name for a date rounded to its quarter)."""
    return h.compact in _PERIOD or (
        h.has("quarter", "qtr", "period") and (len(h.words) <= 3 or h.words[0] in _PERIOD)
    )


def is_month(h: Header) -> bool:
    """``Month``, ``Fiscal Month``, ``Month of Close Date``."""
    return h.compact in _MONTH or (h.has("month") and (len(h.words) <= 3 or h.words[0] == "month"))


def is_year(h: Header) -> bool:
    """``Year``, ``Fiscal Year``, ``FY``, and a date's year as BI tools and QUERY name it:
    ``Year of Close Date`` (Tableau), ``year(Close Date)`` (a Sheets QUERY)."""
    return h.compact in _YEAR or (h.has("year") and len(h.words) <= 2) or _part_of_date(h, "year")


def _part_of_date(h: Header, part: str) -> bool:
    """``Year of Close Date``, ``year(Close Date)``: ``part`` of a date column, the date
    named by the words after it (never ``Year to Date``)."""
    if len(h.words) < 2 or h.words[0] != part:
        return False
    rest = [w for w in h.words[1:] if w != "of"]
    return (
        bool(rest)
        and rest[0] != "to"
        and date_kind(Header("", tuple(rest), None, None, None)) is not None
    )


#: a date column's kind, best first; ``None`` kinds are dates that are never the close
DATE_KINDS: tuple[str, ...] = ("close", "won", "booked", "generic")
_BAD_DATES = {
    "created": "created",
    "create": "created",
    "creation": "created",
    "modified": "last modified",
    "updated": "last modified",
    "update": "last modified",
    "edited": "last modified",
    "activity": "last activity",
    "last": "last activity",
    "start": "start",
    "starts": "start",
    "renewal": "renewal",
    "end": "end",
    "expiration": "expiry",
    "expiry": "expiry",
    "expires": "expiry",
    "birth": "birth",
    "due": "due",
    "lost": "lost",
    "next": "next step",
    "invoice": "invoice",
    "payment": "payment",
    "stage": "stage change",
}


def date_kind(h: Header) -> str | None:
    """``close`` (Close Date, Closing Date, Close time), ``won`` (Won Date, Deal - Won
    time), ``booked`` (Booked On, Signed Date), ``generic`` (Date, Transaction Date),
    ``expected`` (Expected close date: the date of open deals), ``bad:<what>`` (Created
    Date, Last Modified, Start Date…: never the close), or None (not a date)."""
    dated = h.has("date", "time", "on", "day", "closedate", "closedon", "bookedon", "wondate")
    dated = dated or h.has("created", "modified", "activity", "updated")
    named = h.compact in {"closed", "close", "closing", "signed"}
    if not dated and not named:
        return None
    if h.has("expected", "estimated", "projected", "forecast", "target"):
        return "expected"
    for word, what in _BAD_DATES.items():
        if word in h.words:
            return f"bad:{what}"
    if h.has("close", "closed", "closing", "closedate", "closedon"):
        return "close"
    if h.has("won", "wondate", "win"):
        return "won"
    if h.has("booked", "booking", "bookedon", "signed", "signature", "sign", "contract"):
        return "booked"
    if h.has("date", "transaction", "posting", "order") and not named:
        return "generic"
    return None


_AMOUNT_WORDS = {"bookings", "booking", "booked", "actual", "actuals", "amount", "value"}
_AMOUNT_WORDS |= {"revenue", "acv", "arr", "tcv", "mrr", "won"}
_NEVER_AMOUNT = {
    "weighted": "a weighted (probability-adjusted) amount",
    "expected": "an expected (probability-adjusted) amount",
    "probability": "a probability",
    "prob": "a probability",
    "forecast": "a forecast",
    "currency": "a currency code",
    "quantity": "a quantity",
    "qty": "a quantity",
    "discount": "a discount",
    "count": "a count",
    "percent": "a percentage",
    "pct": "a percentage",
    "margin": "a margin",
    "cost": "a cost",
    "list": "a list price",
    "unit": "a unit price",
    "sales price": "a unit price",
    "age": "an age",
    "days": "a number of days",
    "score": "a score",
    "id": "an identifier",
    "tax": "a tax amount",
    "vat": "a tax amount",
    "prior": "a prior period's amount",
    "previous": "a prior period's amount",
    "py": "a prior period's amount",
    "ly": "a prior period's amount",
    "last year": "a prior period's amount",
}
_CONVERTED: tuple[str, ...] = ("converted", "company currency", "home currency", "base currency")
_CONVERTED += ("reporting currency", "corporate currency", "default currency")


def never_amount(h: Header) -> str | None:
    """Why a column is never the bookings amount (weighted, probability…), or None."""
    if is_currency(h):
        return "a currency code"
    for word, why in _NEVER_AMOUNT.items():
        if word in h.words or (" " in word and word in h.name):
            if word == "currency" and any(c in h.name for c in _CONVERTED):
                continue  # "Amount in company currency" is an amount
            return why
    if "%" in h.text or h.compact in ("", "no", "number"):
        return "a percentage or a number of things"
    return None


def is_converted(h: Header) -> bool:
    """``Amount (converted)``, ``Amount in company currency``: already one currency."""
    return any(c in h.name for c in _CONVERTED)


def amount_candidate(h: Header) -> bool:
    """A column that may hold bookings amounts (before the exclusions of :func:`never_amount`):
    ``Sales`` counts only as the last word (``Net Sales``, not ``Sales Team``)."""
    if set(h.words) & _AMOUNT_WORDS or h.compact in {"closedwon", "newarr", "dealsize"}:
        return True
    return h.words[-1:] == ("sales",)


def line_total(h: Header) -> bool:
    """``Total Price``, ``Line Total``, ``Line Amount``: a line item's own amount;
    ``Split Amount``: one owner's share of a split opportunity."""
    return h.name in (
        "total price",
        "line total",
        "line amount",
        "extended price",
        "line value",
        "split amount",
        "split revenue",
    )


def is_split(h: Header) -> bool:
    """A column of Salesforce's Opportunities with Opportunity Splits report (Split Owner,
    Split Percentage, Split Amount): one row per owner, the opportunity's Amount repeated."""
    return bool(h.words) and h.words[0] == "split" and len(h.words) > 1


_PLAN_WORDS = {"plan", "planned", "target", "targets", "quota", "quotas", "budget", "goal"}
_PLAN_WORDS |= {"goals", "budgets", "plans"}
_NOT_PLAN = {
    "commit": "a commit forecast",
    "stretch": "a stretch target",
    "upside": "an upside case",
    "best": "a best case",
    "forecast": "a forecast",
    "pipeline": "pipeline",
    "actual": "actuals",
    "actuals": "actuals",
    "variance": "a variance",
    "attainment": "an attainment",
    "ytd": "a year-to-date figure",
}


def plan_candidate(h: Header) -> bool:
    return bool(set(h.words) & _PLAN_WORDS)


def never_plan(h: Header) -> str | None:
    """Why a column that looks like a plan is not the plan (Commit, Stretch…), or None."""
    for word, why in _NOT_PLAN.items():
        if word in h.words:
            return why
    return None


def forecast_only(h: Header) -> str | None:
    """``Commit``, ``Best Case``…: a forecast column that a plan must not be read from."""
    return never_plan(h) if h.has("commit", "stretch", "upside", "best", "forecast") else None


def is_status(h: Header) -> bool:
    """``Stage``, ``Deal Stage``, ``Status``, ``Is Won``, ``Won?``, ``Closed Won?``…"""
    if h.has("stage", "status", "stagename", "dealstage"):
        return not h.has("date", "time", "duration", "age", "days", "changed", "probability")
    return h.compact in ("iswon", "won", "closedwon", "isclosed", "closed", "wonlost", "result")


_FLAGS = {"iswon", "won", "closedwon", "isclosedwon", "isclosed", "closed", "wonflag"}
_FLAGS |= {"dealclosed", "isdealclosed", "dealwon", "isdealwon", "wonyn", "closedyn"}


def is_flag_header(h: Header) -> bool:
    """A header that may name a TRUE/FALSE column: Won, Is Won, Closed, Is Closed Won,
    Is Deal Closed?, Closed Won?"""
    return h.compact in _FLAGS or h.text.endswith("?")


def is_forecast_category(h: Header) -> bool:
    """Salesforce's ``Forecast Category`` (``ForecastCategoryName``)."""
    return h.has("forecast", "forecastcategory", "forecastcategoryname") and h.has(
        "category", "forecastcategory", "forecastcategoryname"
    )


def never_status(h: Header) -> bool:
    """Columns whose values are never a deal's status, whatever words they hold: names,
    notes, products, dates."""
    return bool(set(h.words) & {"name", "account", "owner", "product", "description"}) or bool(
        set(h.words) & _IGNORED
    )


_IN_ONE_CURRENCY = re.compile(
    r"\bin (?:company|home|base|reporting|corporate|default|local|account) currency$"
)


def is_currency(h: Header) -> bool:
    """``Currency``, ``Amount Currency``, ``Deal - Currency``, ``Currency ISO Code``;
    not ``Amount in company currency`` (an amount)."""
    if _IN_ONE_CURRENCY.search(h.name):
        return False
    return (
        h.compact in ("currency", "currencycode", "currencyisocode", "isocode", "ccy")
        or (bool(h.words) and h.words[-1] in ("currency", "ccy", "curr"))
        or (h.has("currency") and h.has("code", "iso"))
        or h.has("currencyisocode")
    )


_ID_SUBJECTS = {"opportunity", "opp", "deal", "record", "transaction", "order", "document"}
_NOT_ID_SUBJECTS = {"account", "owner", "contact", "user", "product", "campaign", "lead"}
_NOT_ID_SUBJECTS |= {"company", "organization", "person", "parent", "pricebook", "line", "item"}


def is_record_id(h: Header) -> bool:
    """``Opportunity ID``, ``Record ID``, ``Deal ID``, ``ID``: one value per deal."""
    if not h.has("id", "identifier", "guid", "number", "no", "dealid", "recordid"):
        return False
    if set(h.words) & _NOT_ID_SUBJECTS:
        return False
    others = set(h.words) - {"id", "identifier", "guid", "number", "no", "internal", "18", "15"}
    return not others or others <= _ID_SUBJECTS


def is_deal_type(h: Header) -> bool:
    return h.compact in ("type", "dealtype", "opportunitytype", "businesstype", "salestype") or (
        h.has("type") and h.has("deal", "opportunity", "business", "revenue", "booking")
    )


_PRODUCT = {"product", "productname", "productcode", "sku", "lineitem", "opportunityproduct"}


def is_product(h: Header) -> bool:
    """A column of a line-item report (Product Name, Product Code, Quantity, Sales Price,
    Total Price); not ``Product Line`` or ``Product Family``, which group deals."""
    return (
        h.compact in _PRODUCT
        or h.compact in ("productid", "productsku", "itemname", "item")
        or h.name in ("quantity", "qty", "sales price", "list price", "unit price")
        or line_total(h)
    )


_LEADS = {"leads", "lead", "mqls", "mql", "sqls", "sql", "newleads", "leadcount", "inquiries"}


def leads_candidate(h: Header) -> bool:
    """``Leads``, ``New Leads``, ``MQLs``, ``# Leads``, ``Lead Count``."""
    return bool(set(h.words) & _LEADS) and not h.has("source", "status", "owner", "id", "name")


_IGNORED = {"note", "notes", "comment", "comments", "description", "memo", "remark", "remarks"}
_IGNORED |= {"link", "url", "total", "totals", "subtotal", "ytd", "variance", "attainment"}
_IDENTIFIER = {"id", "deal", "deals", "opportunity", "opp", "invoice", "order", "contract"}
_IDENTIFIER |= {"account", "customer", "client", "email", "number", "no", "ref", "reference"}
_IDENTIFIER |= {"name", "description", "link", "url", "title", "contact", "phone", "company"}
_IDENTIFIER |= {"organization", "person", "sku", "record", "document", "transaction"}


def is_ignored(h: Header) -> bool:
    """Notes, links, totals: never a group."""
    return bool(set(h.words) & _IGNORED) or not h.words


def is_identifier(h: Header) -> bool:
    """A column of per-row identifiers (Deal, Deal ID, Account Name…), never a group;
    an owner (``Opportunity Owner``, ``Deal owner``) groups deals."""
    if group_key(h) == "owner":
        return False
    return bool(set(h.words) & _IDENTIFIER)


_OWNER = {"owner", "rep", "salesrep", "accountexecutive", "ae", "salesperson", "seller"}
_OWNER |= {"opportunityowner", "dealowner", "accountowner", "assignedto", "owner name"}


#: Levels above a rep: their owner is a manager, not the rep who owns a deal.
_ABOVE_REPS: tuple[str, ...] = ("region", "regional", "territory", "segment", "team", "area")
_ABOVE_REPS += ("district", "country", "geo", "division", "unit", "manager")


def group_key(h: Header) -> str:
    """The name two tabs' group columns are matched by: ``Opportunity Owner``, ``Deal
    owner``, ``Sales Rep`` and ``Owner`` are one column; otherwise the folded name."""
    compact = h.compact
    above = h.has(*_ABOVE_REPS)  # ``Region Owner``: the regional VP, not the deal's rep
    if compact in _OWNER or (h.has("owner", "rep") and len(h.words) <= 3 and not above):
        return "owner"
    if compact in ("region", "salesregion", "geo", "geography", "dealregion"):
        return "region"
    return " ".join(h.words)


def quarter_flavour(text: str) -> tuple[int, str | None] | None:
    """A column named like a quarter (``Q1 2025``), perhaps with what it holds (``Q1 2025
    Plan``, ``Actual FY25 Q1``): its quarter index and ``plan``, ``bookings`` or None."""
    index = quarters.label_index(text)
    if index is not None:
        return index, None
    part = _PART_WORD.sub(" ", text)
    if part != text:  # ``Q1 2026 New`` beside ``Q1 2026 Renewal``: parts of one quarter
        index = quarters.label_index(part.strip(" -–—:()[]/|,"))
        if index is not None:
            return index, None
    h = describe(text)
    if h is None:
        return None
    if plan_candidate(h) and not never_plan(h):
        flavour = "plan"
    elif h.has("actual", "actuals", "bookings", "booked", "won", "acv", "arr", "tcv", "amount"):
        flavour = "bookings"
    elif never_plan(h) is not None:
        flavour = "other"
    else:
        return None
    rest = _FLAVOUR_WORD.sub(" ", text).strip(" -–—:()[]/|,")
    index = quarters.label_index(rest)
    return None if index is None else (index, flavour)


#: A part of the business after a quarter's label: its columns are summed, and said so.
_PART_WORD = re.compile(
    r"\b(?:new business|new logo|new|renewals?|upsell|expansion|existing business"
    r"|existing|cross[- ]sell|add[- ]on)\b",
    re.IGNORECASE,
)

_FLAVOUR_WORD = re.compile(
    r"\b(?:"
    + "|".join(
        sorted(
            _PLAN_WORDS | _AMOUNT_WORDS | set(_NOT_PLAN) | {"closed won", "case"},
            key=len,
            reverse=True,
        )
    )
    + r")\b",
    re.IGNORECASE,
)
