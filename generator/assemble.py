"""Stage 4: combine the per-source results into one briefing.

This is the only stage that sees every source at once (the "reduce" after the per-source
"map"): it groups figures that several sources state, and flags conflicts.
"""

from __future__ import annotations

import hashlib
import re

from .models import Briefing, Figure, FigureGroup, Problem, SourceResult, ThemeDef

_STOPWORDS = {"the", "a", "an", "of", "in", "on", "for", "to", "and", "or", "its", "their", "with",
              "by", "at", "from", "as", "is", "are", "was", "has", "have", "than", "that", "this"}


def _words(phrase: str) -> set[str]:
    words = {w.rstrip("s") for w in re.findall(r"[a-z0-9]+", phrase.lower())}
    return words - _STOPWORDS


def similar_measures(a: str, b: str) -> bool:
    """Two 'what it measures' phrases are about the same thing (overlap of content words)."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return False
    return len(wa & wb) / min(len(wa), len(wb)) >= 0.5


def same_value(a: float, b: float) -> bool:
    """Equal within rounding: 2% relative, as "about 1/3" and "33%" are."""
    if a == b:
        return True
    return abs(a - b) <= 0.02 * max(abs(a), abs(b))


def group_figures(figures: tuple[Figure, ...]) -> tuple[FigureGroup, ...]:
    """Cross-source groups: the same quantity stated by two or more sources (corroborated),
    or the same measure with different values in two or more sources (conflict)."""
    groups: list[FigureGroup] = []
    used: set[str] = set()
    ordered = sorted(figures, key=lambda f: (f.unit, f.value, f.source, f.id))
    for kind in ("corroborated", "conflict"):
        for anchor in ordered:
            if anchor.id in used:
                continue
            members = [anchor]
            for other in ordered:
                if other.id in used or other is anchor or other.unit != anchor.unit:
                    continue
                if other.source in {m.source for m in members}:
                    continue
                if not similar_measures(anchor.measures, other.measures):
                    continue
                if same_value(anchor.value, other.value) == (kind == "corroborated"):
                    members.append(other)
            if len(members) < 2:
                continue
            used.update(m.id for m in members)
            ids = tuple(sorted(m.id for m in members))
            groups.append(FigureGroup(
                id="g-" + hashlib.sha1("|".join(ids).encode()).hexdigest()[:10],
                kind=kind,
                figures=ids,
                sources=tuple(sorted({m.source for m in members})),
                value=anchor.value,
                unit=anchor.unit,
                measures=anchor.measures,
            ))
    return tuple(sorted(groups, key=lambda g: (g.kind, -len(g.sources), g.id)))


def duplicate_id_problems(results: list[SourceResult]) -> tuple[list[SourceResult], list[Problem]]:
    """Keep the first source for each id (case-insensitively); report the others by name."""
    kept: dict[str, SourceResult] = {}
    problems: list[Problem] = []
    for result in results:
        key = result.document.id.lower()
        if key in kept:
            problems.append(Problem(
                "error", result.document.path,
                f"duplicate source id {result.document.id!r} (already used by {kept[key].document.path}); skipped",
                code="duplicate-id"))
            continue
        kept[key] = result
    return list(kept.values()), problems


def assemble(title: str, results: list[SourceResult], themes: tuple[ThemeDef, ...],
             problems: list[Problem]) -> Briefing:
    """The briefing: sources in id order, cross-source figure groups, every problem."""
    unique, duplicate_problems = duplicate_id_problems(sorted(results, key=lambda r: r.document.path))
    unique.sort(key=lambda r: r.document.id)
    all_problems = list(problems) + duplicate_problems + [p for r in unique for p in r.problems]
    all_problems.sort(key=lambda p: (p.path, p.line or 0, p.severity, p.message))
    figures = tuple(f for r in unique for f in r.figures)
    return Briefing(
        title=title,
        results=tuple(unique),
        themes=themes,
        figure_groups=group_figures(figures),
        problems=tuple(all_problems),
    )
