"""Which figures several sources state (corroborated), and which disagree (conflict).

Two figures state the same quantity when their units are the same kind of thing (a currency,
percent, or counted nouns that name the same thing: "derivatives", "variations", "variants"),
they are about the same subject (the name each figure's sentence attaches it to), what they
measure overlaps, and their values agree within rounding with compatible bounds (">100,000" and
"exceeded 100,000" are both lower bounds). The same quantity with values that cannot both be true
(disjoint intervals) is a conflict. Figures of different years are different quantities.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import re
from functools import lru_cache

from .models import Figure, FigureGroup

# counted nouns that name the same kind of thing, by their class
_NOUN_CLASSES = {
    "models": {"model", "derivative", "variation", "variant", "version", "fork", "spin-off", "finetune",
               "fine-tune", "llm"},
    "firms": {"firm", "company", "business", "enterprise", "corporation"},
    "people": {"people", "person", "individual", "resident", "inhabitant"},
    "users": {"user", "subscriber", "account"},
    "downloads": {"download", "install"},
    "jobs": {"job", "position", "role"},
    "units": {"unit", "device"},
}
_CLASS_OF = {word: name for name, words in _NOUN_CLASSES.items() for word in words}
_STOPWORDS = {"the", "a", "an", "of", "in", "on", "for", "to", "and", "or", "its", "their", "with",
              "by", "at", "from", "as", "is", "are", "was", "has", "have", "than", "that", "this", "s",
              # too general to tell two measures apart
              "global", "world", "worldwide", "total", "overall", "annual", "new", "largest", "major", "ai"}
_LOWER, _UPPER = {">", ">="}, {"<", "<="}


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def _canonical_word(word: str) -> str:
    single = _singular(word.lower())
    return _CLASS_OF.get(single, single)


@lru_cache(maxsize=65536)  # grouping compares each figure with many others: work each phrase out once
def unit_kind(unit: str) -> str:
    """The kind of a unit: the currency or percent as is, a counted noun by its class."""
    if unit.isupper() or unit in ("percent", "percentage points", "basis points", "times", "count"):
        return unit
    return _canonical_word(unit.split()[-1]) if unit else ""


@lru_cache(maxsize=65536)
def _words(phrase: str) -> frozenset[str]:
    return frozenset({_canonical_word(w) for w in re.findall(r"[a-z0-9][a-z0-9.-]*", phrase.lower())} - _STOPWORDS)


def _what(figure: Figure) -> str:
    """What the figure measures, without the subject's name in front."""
    if figure.subject and figure.measures.startswith(figure.subject):
        return figure.measures[len(figure.subject):]
    return figure.measures


def _same_subject(a: Figure, b: Figure) -> bool:
    if not a.subject or not b.subject:
        return True  # one does not name it: decided by what it measures
    (sa, words_a), (sb, words_b) = _subject_words(a.subject), _subject_words(b.subject)
    return sa == sb or not words_a.isdisjoint(words_b)


@lru_cache(maxsize=65536)
def _subject_words(subject: str) -> tuple[str, frozenset[str]]:
    normal = subject.lower().replace(".", "")
    return normal, frozenset(normal.split())


def similar_measures(a: Figure, b: Figure) -> bool:
    """About the same thing: same subject, and what they measure overlaps (counted nouns of the same class)."""
    if unit_kind(a.unit) != unit_kind(b.unit) or not _same_subject(a, b):
        return False
    if a.year is not None and b.year is not None and a.year != b.year:
        return False
    if _counted(a) and a.subject and b.subject:
        return True  # "Qwen derivatives" and "Qwen variations": the counted noun is what they measure
    wa, wb = _words(_what(a)), _words(_what(b))
    if not wa or not wb:
        return False
    return len(wa & wb) / min(len(wa), len(wb)) >= 0.5


def _counted(figure: Figure) -> bool:
    """Whether ``figure``'s unit is the noun it counts (downloads, models), so that two figures of the
    same subject in it measure the same thing; else (a share, a currency) what they measure must agree."""
    return unit_kind(figure.unit) not in ("percent", "percentage points", "basis points", "times", "count") \
        and not figure.unit.isupper()


def same_value(a: float, b: float) -> bool:
    """Equal within rounding: 2% relative ("about 1/3" and "33%")."""
    if a == b:
        return True
    return abs(a - b) <= 0.02 * max(abs(a), abs(b))


def _bounds_agree(a: str, b: str) -> bool:
    """Both lower bounds, both upper bounds, or at least one a point value."""
    return (a in _LOWER and b in _LOWER) or (a in _UPPER and b in _UPPER) or a in "=~" or b in "=~"


def _interval(figure: Figure) -> tuple[float, float]:
    value = figure.value
    if figure.high is not None:
        return value, figure.high
    slack = 0.1 if figure.bound == "~" else 0.02
    if figure.bound in _LOWER:
        return value * (1 - 0.02), math.inf
    if figure.bound in _UPPER:
        return -math.inf, value * (1 + 0.02)
    return value - slack * abs(value), value + slack * abs(value)


def corroborates(a: Figure, b: Figure) -> bool:
    return similar_measures(a, b) and same_value(a.value, b.value) and _bounds_agree(a.bound, b.bound)


def conflicts(a: Figure, b: Figure) -> bool:
    """The same measure of the same subject with values that cannot both hold."""
    if not (a.subject and b.subject) or not similar_measures(a, b):
        return False
    (a_low, a_high), (b_low, b_high) = _interval(a), _interval(b)
    return a_high < b_low or b_high < a_low


def _group(kind: str, members: list[Figure]) -> FigureGroup:
    ids = tuple(sorted(m.id for m in members))
    anchor = members[0]
    return FigureGroup(
        id="g-" + hashlib.sha1("|".join(ids).encode()).hexdigest()[:10],
        kind=kind,
        figures=ids,
        sources=tuple(sorted({m.source for m in members})),
        value=anchor.value,
        unit=anchor.unit,
        measures=anchor.measures,
    )


def group_figures(figures: tuple[Figure, ...]) -> tuple[FigureGroup, ...]:
    """Cross-source groups: the same quantity stated by two or more sources (corroborated),
    or the same measure with incompatible values in two or more sources (conflict)."""
    groups: list[FigureGroup] = []
    used: set[str] = set()
    ordered = sorted(figures, key=lambda f: (unit_kind(f.unit), f.value, f.source, f.id))
    candidates = _Candidates(ordered)
    for kind, related in (("corroborated", corroborates), ("conflict", conflicts)):
        for position, anchor in enumerate(ordered):
            if anchor.id in used:
                continue
            members, member_sources = [anchor], {anchor.source}
            for other in candidates.for_anchor(position, kind):
                if other.id in used or other.source in member_sources:
                    continue
                if all(related(m, other) for m in members):
                    members.append(other)
                    member_sources.add(other.source)
            if len(members) < 2:
                continue
            used.update(m.id for m in members)
            groups.append(_group(kind, members))
    return tuple(sorted(groups, key=lambda g: (g.kind, -len(g.sources), g.id)))


def _subject_keys(figure: Figure) -> set:
    """Keys two figures share whenever ``_same_subject`` can hold between them (both named)."""
    normal, words = _subject_words(figure.subject)
    return set(words) or {("=", normal)}


def _value(figure: Figure) -> float:
    return figure.value


class _Candidates:
    """The figures worth comparing with an anchor, in ``ordered`` order (issue 8: grouping must
    not compare every pair). Exact, not a heuristic: every figure left out fails ``related`` —
    another unit kind, a value outside 2%, no subject word in common when both name one, or
    no word of what they measure in common when either names none (corroborated); no shared
    subject word (conflict)."""

    def __init__(self, ordered: list[Figure]) -> None:
        self.ordered = ordered
        self.kinds = [unit_kind(f.unit) for f in ordered]
        self.what = [_words(_what(f)) for f in ordered]  # the words of what each measures
        self.span: dict[str, tuple[int, int]] = {}  # unit kind -> [start, end) (ordered sorts by kind first)
        for i, kind in enumerate(self.kinds):
            start, _ = self.span.get(kind, (i, i))
            self.span[kind] = (start, i + 1)
        # (unit kind, key) -> positions ascending: of figures naming a subject, by subject key; of
        # every figure, and of those naming none, by word of what they measure.
        self.by_subject: dict[tuple[str, object], list[int]] = {}
        self.by_word: dict[tuple[str, str], list[int]] = {}
        self.by_word_unnamed: dict[tuple[str, str], list[int]] = {}
        for i, figure in enumerate(ordered):
            if figure.subject:
                for key in _subject_keys(figure):
                    self.by_subject.setdefault((self.kinds[i], key), []).append(i)
            for word in self.what[i]:
                self.by_word.setdefault((self.kinds[i], word), []).append(i)
                if not figure.subject:
                    self.by_word_unnamed.setdefault((self.kinds[i], word), []).append(i)

    def _similar_postings(self, position: int, unit: str) -> list[list[int]]:
        """Postings holding every figure ``similar_measures`` can accept for the anchor at ``position``.
        Two figures naming subjects share a subject word; where either names none, a word of what they
        measure (at least half the words of the shorter)."""
        anchor = self.ordered[position]
        words = [(unit, word) for word in self.what[position]]
        if not anchor.subject:
            return [self.by_word[key] for key in words]
        return ([self.by_subject[(unit, key)] for key in _subject_keys(anchor)]
                + [self.by_word_unnamed[key] for key in words if key in self.by_word_unnamed])

    def for_anchor(self, position: int, kind: str) -> list[Figure]:
        anchor, unit = self.ordered[position], self.kinds[position]
        start, end = self.span[unit]
        if kind == "corroborated":  # values within 2% lie in a narrow slice of the sorted bucket
            slack = 0.021 * abs(anchor.value)  # same_value allows at most 2.0408...% of the anchor
            lo = bisect.bisect_left(self.ordered, anchor.value - slack, start, end, key=_value)
            hi = bisect.bisect_right(self.ordered, anchor.value + slack, lo, end, key=_value)
            positions = set()
            for posting in self._similar_postings(position, unit):  # of the figures in the window, those it may accept
                positions.update(posting[bisect.bisect_left(posting, lo):bisect.bisect_left(posting, hi)])
            return [self.ordered[i] for i in sorted(positions)]
        if not anchor.subject:
            return []  # a conflict needs both subjects named
        positions = {i for key in _subject_keys(anchor) for i in self.by_subject.get((unit, key), ())}
        what = None if _counted(anchor) else self.what[position]  # else what they measure shares a word
        return [self.ordered[i] for i in sorted(positions) if what is None or not self.what[i].isdisjoint(what)]
