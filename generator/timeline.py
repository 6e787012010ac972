"""Stage 3e: the dated statements of a source, for the briefing's one chronological page.

A statement is dated by what the sentence itself says (a year, a month, a full date, a range
such as 2017–2024) or, for "this year", "June 25" and "recently", by the source's own date.
Dates are ISO-like strings ("2025", "2025-07", "2025-07-09"), so sorting them as text is
chronological and the order never depends on the clock.
"""

from __future__ import annotations

import re

from . import urls
from .models import Briefing, DatedStatement, Document

MONTHS = {name: n for n, names in enumerate((
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
    ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
    ("october", "oct"), ("november", "nov"), ("december", "dec")), start=1) for name in names}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<year>(?:19[5-9]\d|20\d\d))"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_DASH = r"\s*[–—-]\s*"

PATTERNS = (
    ("iso", re.compile(r"(?<![\d-])(?P<year>\d{4})-(?P<m>\d{2})-(?P<day>\d{2})(?![\d])")),
    ("range", re.compile(r"(?<![\w$£€.,])" + _YEAR + _DASH + r"(?P<end>(?:19|20)?\d{2})(?![\w%,.]\d|\d|%)")),
    ("mdy", re.compile(r"(?<!\w)" + _MONTH + r"\s+" + _DAY + r",?\s+" + _YEAR + r"(?!\d)", re.I)),
    ("dmy", re.compile(r"(?<!\w)" + _DAY + r"\s+" + _MONTH + r",?\s+" + _YEAR + r"(?!\d)", re.I)),
    ("my", re.compile(r"(?<!\w)" + _MONTH + r",?\s+" + _YEAR + r"(?!\d)", re.I)),
    ("md", re.compile(r"(?<!\w)" + _MONTH + r"\s+" + _DAY + r"(?![\d:])(?:,?\s+this\s+year)?", re.I)),
    ("in-month", re.compile(r"\b(?:in|since|until|by|early|late|mid|last|this)[\s-]+" + _MONTH + r"(?![\w-])", re.I)),
    ("year", re.compile(r"(?<![\w$£€.,/-])" + _YEAR + r"(?![\w%/]|[.,]\d|-\d)")),
    ("relative", re.compile(r"(?<!\w)(?P<rel>this year|last year|next year|recently|this week|this month|today)(?!\w)",
                            re.I)),
)


def _month_name_is_word(match: re.Match) -> bool:
    """"may" and "march" are also ordinary words: only a capitalised month name counts."""
    return not match.group("month")[0].isupper()


_WITHOUT_DIGITS = ("in-month", "relative")  # the only kinds of date written without a digit
_DIGIT = re.compile(r"\d")


def dates_in(text: str, source_date: str | None) -> list[tuple[str, str, str]]:
    """(date, end, as written) for every date in a sentence, outermost first, no overlaps."""
    source_year = int(source_date[:4]) if source_date and source_date[:4].isdigit() else None
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, str, str, str]] = []
    digits = _DIGIT.search(text) is not None
    for kind, pattern in PATTERNS:
        if not digits and kind not in _WITHOUT_DIGITS:
            continue  # every other pattern needs a day or a year: most sentences skip them (issue 8)
        for match in pattern.finditer(text):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            if "month" in match.groupdict() and match.group("month") and _month_name_is_word(match):
                continue
            date = end = ""
            if kind == "iso":
                month, day = int(match.group("m")), int(match.group("day"))
                if not (1 <= month <= 12 and 1 <= day <= 31):
                    continue
                date = f"{match.group('year')}-{month:02d}-{day:02d}"
            elif kind == "range":
                start_year, tail = int(match.group("year")), match.group("end")
                end_year = int(tail) if len(tail) == 4 else (start_year // 100) * 100 + int(tail)
                if not start_year < end_year <= start_year + 100:
                    continue
                date, end = str(start_year), str(end_year)
            elif kind in ("mdy", "dmy"):
                day = int(match.group("day"))
                if not 1 <= day <= 31:
                    continue
                date = f"{match.group('year')}-{MONTHS[match.group('month').lower()]:02d}-{day:02d}"
            elif kind == "my":
                date = f"{match.group('year')}-{MONTHS[match.group('month').lower()]:02d}"
            elif kind in ("md", "in-month"):
                if source_year is None:
                    continue
                month = MONTHS[match.group("month").lower()]
                if kind == "md":
                    day = int(match.group("day"))
                    if not 1 <= day <= 31:
                        continue
                    date = f"{source_year}-{month:02d}-{day:02d}"
                else:
                    date = f"{source_year}-{month:02d}"
            elif kind == "year":
                date = match.group("year")
            elif kind == "relative":
                if source_year is None:
                    continue
                rel = match.group("rel").lower()
                if rel == "last year":
                    date = str(source_year - 1)
                elif rel == "next year":
                    date = str(source_year + 1)
                elif rel == "this year":
                    date = str(source_year)
                else:
                    date = source_date[:10]
            taken.append((match.start(), match.end()))
            found.append((match.start(), date, end, match.group()))
    return [(date, end, written) for _, date, end, written in sorted(found)]


def _mostly_date(text: str) -> bool:
    """A dateline ("July 9, 2025", "Al Jazeera • Jul 9, 2025") is metadata, not a statement."""
    stripped = text
    for _, pattern in PATTERNS:
        stripped = pattern.sub(" ", stripped)
    return len(re.findall(r"\b[a-z]{3,}\b", stripped)) < 2


def find_dates(document: Document) -> list[DatedStatement]:
    """Every dated statement of one source, in reading order."""
    found: list[DatedStatement] = []
    for sentence in document.sentences:
        dates = dates_in(sentence.text, document.date)
        # No date: nothing to keep, dateline or not (most sentences; _mostly_date costs as much again)
        if not dates or _mostly_date(sentence.text):
            continue
        seen: set[tuple[str, str]] = set()
        for date, end, written in dates:
            if (date, end) in seen:
                continue
            seen.add((date, end))
            relative = not re.search(r"\d{4}", written)
            found.append(DatedStatement(document.id, sentence.id, date, end, written, relative))
    return found


def timeline_records(briefing: Briefing) -> list[dict]:
    """The chronological page as data: statements sorted by date, then source and reading order.
    Each dated source also contributes its own publication date."""
    order: dict[tuple[str, str], int] = {}  # (source, sentence) of each statement -> the sentence's position
    rows = []
    for result in briefing.results:
        doc = result.document
        if doc.date:
            rows.append({"date": doc.date[:10], "end": None, "precision": "day", "source": doc.id,
                         "sentence": None, "text": None, "written": None, "published": True,
                         "from_source_date": True, "page": urls.source_page(doc.id)})
        if not result.dates:
            continue
        # Only the sentences of sources with dated statements, by id (every sentence of 5,000 sources
        # was 0.23 s: issue 8).
        sentences = {s.id: (n, s.text) for n, s in enumerate(doc.sentences)}
        for statement in result.dates:
            found = sentences.get(statement.sentence) if statement.source == doc.id else None
            if found is None:
                continue
            order[(statement.source, statement.sentence)], text = found
            rows.append({
                "date": statement.date, "end": statement.end or None,
                "precision": "range" if statement.end else {4: "year", 7: "month"}.get(len(statement.date), "day"),
                "source": statement.source, "sentence": statement.sentence,
                "text": text, "written": statement.text,
                "published": False, "from_source_date": statement.from_source_date,
                "page": urls.sentence_link(statement.source, statement.sentence),
            })
    rows.sort(key=lambda r: (r["date"], r["end"] or r["date"], not r["published"], r["source"],
                             order.get((r["source"], r["sentence"]), -1), r["written"] or ""))
    for n, row in enumerate(rows, start=1):
        row["id"] = f"t-{n}"
    return rows
