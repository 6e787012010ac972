"""Metadata a source states about itself: title line, dateline, publisher credit, byline.

Only what the text states is taken, never guessed: a value comes from a line whose whole
job is to carry it (a dateline, ``Al Jazeera • Jul 9, 2025``, ``By Jane Doe``, a name
signed above a disclaimer). Those lines are then furniture, excluded with their reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from .clean import Block

_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_MON = r"(?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_TIME = r"(?:[ T,]+(?P<H>\d{1,2}):(?P<M>\d\d)(?::\d\d)?(?:\s?[ap]\.?m\.?)?)?"
_DATE_PATTERNS = [
    re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>\d\d)-(?P<d>\d\d)" + _TIME, re.I),
    re.compile(r"\b(?P<y>(?:19|20)\d\d)/(?P<m>\d\d)/(?P<d>\d\d)" + _TIME, re.I),
    re.compile(r"\b" + _MON + r" (?P<d>\d{1,2})(?:st|nd|rd|th)?,? (?P<y>(?:19|20)\d\d)\b" + _TIME, re.I),
    re.compile(r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)? " + _MON + r",? (?P<y>(?:19|20)\d\d)\b" + _TIME, re.I),
]


def _match_date(match: re.Match) -> str | None:
    parts = match.groupdict()
    month = int(parts["m"]) if parts.get("m") else _MONTHS[parts["mon"][:3].lower()]
    try:
        day = date(int(parts["y"]), month, int(parts["d"]))
    except ValueError:
        return None
    if parts.get("H"):
        try:
            return datetime(day.year, day.month, day.day, int(parts["H"]), int(parts["M"])).isoformat(
                timespec="minutes")
        except ValueError:
            pass
    return day.isoformat()


def find_date(text: str) -> str | None:
    """The first full calendar date stated in ``text``, as ISO 8601 (with the time if given), or None."""
    found: list[tuple[int, str]] = []
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            value = _match_date(match)
            if value:
                found.append((match.start(), value))
                break
    return min(found)[1] if found else None


def iso_date(value: object) -> str | None:
    """A front matter date (YAML date, datetime or string) as ISO 8601, or None."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.strip():
        return find_date(value) or None
    return None


def text_or_none(value: object) -> str | None:
    """A front matter value as one line of text; lists and mappings are not metadata (and may be huge)."""
    if value is None or not isinstance(value, (str, int, float, date)):
        return None
    text = " ".join(str(value).split())
    return text or None


# --- lines that carry metadata -------------------------------------------------------

_DATELINE_NOISE = re.compile(
    r"\b(?:published|posted|updated|last|modified|first|on|at|am|pm|a\.m\.|p\.m\.|utc|gmt|[a-z]{2,4}t|"
    r"mon|tue|wed|thu|fri|sat|sun)[a-z]*\b|\d{1,2}:\d\d(?::\d\d)?|[|•·,:;()\-–—/]", re.I)


def dateline_date(line: str) -> str | None:
    """The date of a line that states only a date (and time, and words like "Updated")."""
    if len(line.split()) > 12:
        return None
    for pattern in _DATE_PATTERNS:
        match = pattern.search(line)
        if match and _match_date(match):
            rest = line[:match.start()] + " " + line[match.end():]
            if not _DATELINE_NOISE.sub(" ", rest).strip():
                return _match_date(match)
    return None


_NAME_WORD = r"[A-Z][a-zA-Z'’.-]+"
_NAME = rf"{_NAME_WORD}(?: (?:(?:de|da|van|von|der|bin|al|le|la|du|di)\s)?{_NAME_WORD}){{1,3}}"
_NOT_NAME_WORDS = {"the", "a", "an", "of", "and", "in", "on", "for", "to", "with", "from", "by", "is", "are",
                   "how", "why", "what", "new", "news", "blog", "home", "more", "read", "our", "your", "this"}


def is_person_name(text: str) -> bool:
    """A line that is just a person's name: two to four capitalised words, none a function word."""
    text = text.strip(" -–—*_")
    if not re.fullmatch(_NAME, text) or text.isupper():
        return False
    return not any(w.lower().strip(".") in _NOT_NAME_WORDS for w in text.split())


_BYLINE = re.compile(rf"^(?:[Bb]y|BY|[Ww]ritten by|[Ww]ords by)\s+(?P<name>{_NAME}(?:(?:,| and| &) {_NAME})*)\s*(?:$|[|•·,–—-]\s*(?P<rest>.*)$)")
_SIGNOFF = re.compile(rf"^[-–—]+\s*(?P<name>{_NAME})$")
_CREDIT = re.compile(r"^(?P<pub>[A-Z0-9][\w&'’.-]*(?: (?:[A-Z0-9&][\w&'’.-]*|of|the|and|de)){0,5})"
                     r"\s*[•|·–—]\s*(?P<rest>.+)$")
_SOURCE_LABEL = re.compile(r"^(?:source|sources|via|originally published (?:by|in|at)|credit)\s*:\s*"
                           r"(?P<pub>[A-Z][\w&'’.-]*(?: [A-Z&][\w&'’.-]*){0,5})\.?$", re.I)


@dataclass
class Stated:
    """Metadata found in the text (None where the text states nothing)."""

    title: str | None = None
    date: str | None = None
    publisher: str | None = None
    author: str | None = None


def _kept_index(blocks: list[Block], start: int, step: int) -> int | None:
    i = start
    while 0 <= i < len(blocks):
        if blocks[i].kept:
            return i
        i += step
    return None


def infer_title(blocks: list[Block]) -> str | None:
    """A title line stated at the top: the first kept block, short, heading-like, not a numbered section."""
    first = _kept_index(blocks, 0, 1)
    if first is None:
        return None
    text = blocks[first].text
    if blocks[first].kind not in ("heading",) and not (len(text.split()) <= 25 and text[-1:] not in ".!?,;。！？；…"):
        return None
    if len(text) < 12 or len(text) > 200 or len(text.split()) > 25 or text[-1:] in ".!?,;。！？；…":
        return None
    if re.match(r"^(?:[IVXLC]+|\d+|[A-Za-z])[.)]\s", text):
        return None  # "III. Industry ..." is a section of a longer text, not its title
    return text


def read_stated_metadata(blocks: list[Block]) -> Stated:
    """Find datelines, credits and bylines; mark those lines as excluded furniture (in place)."""
    stated = Stated(title=infer_title(blocks))
    top = set(range(min(len(blocks), 12)))
    for index, block in enumerate(blocks):
        if not block.kept and block.reason != "legal disclaimer":
            continue
        text = block.text.strip(" *_")
        if not block.kept:  # a disclaimer: the name signed right above it is the author
            previous = _kept_index(blocks, index - 1, -1)
            if previous is not None and index - previous <= 2 and is_person_name(blocks[previous].text):
                stated.author = stated.author or blocks[previous].text.strip(" -–—*_")
                blocks[previous].reason = "byline"
            continue
        value = dateline_date(text)
        if value and (index in top or index >= len(blocks) - 6):
            stated.date = stated.date or value
            block.reason = "dateline"
            continue
        byline = _BYLINE.match(text)
        if byline and len(text.split()) <= 16:
            stated.author = stated.author or byline.group("name")
            rest = byline.group("rest") or ""
            stated.date = stated.date or (dateline_date(rest) if rest else None)
            block.reason = "byline"
            continue
        credit = _CREDIT.match(text)
        if credit and len(text.split()) <= 14:
            rest_date = dateline_date(credit.group("rest"))
            if rest_date:
                stated.publisher = stated.publisher or credit.group("pub")
                stated.date = stated.date or rest_date
                block.reason = "credit line"
                continue
        label = _SOURCE_LABEL.match(text)
        if label and index >= len(blocks) - 6:
            stated.publisher = stated.publisher or label.group("pub")
            block.reason = "credit line"
            continue
        signoff = _SIGNOFF.match(text)
        if signoff:
            stated.author = stated.author or signoff.group("name")
            block.reason = "byline"
    _mark_source_citation(blocks)
    return stated


def _mark_source_citation(blocks: list[Block]) -> None:
    """After a trailing "Source" label, the few short lines naming the cited page are a citation."""
    for index, block in enumerate(blocks):
        if block.reason == "page furniture" and block.text.strip(" :*_").lower() in ("source", "sources"):
            rest = [b for b in blocks[index + 1:] if b.kept]
            if 0 < len(rest) <= 3 and all(b.kind == "heading" for b in rest):
                for b in rest:
                    b.reason = "source citation"
