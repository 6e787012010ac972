"""Stage 4: combine the per-source results into one briefing.

The first stage that sees every source at once (the "reduce" after the per-source "map"): it
keeps one source per id, counts near-duplicates once, ranks theme candidates and gathers the
problems. The figures several sources state (corroborate.py) and the other cross-references
(related.py) are worked out with the export (export.py).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace

from .themes import rank_theme_candidates, uncategorised_problems
from .models import Briefing, ComparedPairs, Problem, SourceResult, ThemeDef
from .duplicates import drop_near_duplicates, find_pairs


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
             problems: list[Problem], gazetteer: tuple = (), known_pairs: ComparedPairs | None = None) -> Briefing:
    """The briefing: sources in id order, every problem.
    ``known_pairs``: the previous build's ``compared_pairs`` (near-duplicates found then)."""
    unique, duplicate_problems = duplicate_id_problems(sorted(results, key=lambda r: r.document.path))
    unique.sort(key=lambda r: r.document.id)
    compared = find_pairs([r.document for r in unique], known_pairs,
                          {r.document.id: r.shingles for r in unique if r.shingles})  # results made elsewhere have none
    unique, near_duplicates = drop_near_duplicates(unique, compared)  # generator/duplicates.py: counted once
    duplicate_problems += near_duplicates
    candidates = rank_theme_candidates([r.phrases for r in unique], themes, gazetteer)
    all_problems = list(problems) + duplicate_problems + [p for r in unique for p in r.problems]
    all_problems += uncategorised_problems(unique, candidates)
    all_problems.sort(key=lambda p: (p.path, p.line or 0, p.severity, p.message))
    return Briefing(
        title=title,
        # Phrases and shingles are only used here: the briefing does not carry them on to the pages
        # (phrases alone were a tenth of what a build holds at thousands of sources: issue 8).
        results=tuple(replace(r, phrases=(), shingles=b"") for r in unique),
        themes=themes,
        problems=tuple(all_problems),
        gazetteer=tuple(gazetteer),
        theme_candidates=tuple(candidates),
        compared_pairs=compared,
    )
