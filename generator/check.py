"""``briefing check``: what an editor should fix before readers see it, without writing a site.

The pipeline already reports most problems (unreadable files, front matter, duplicate ids,
near-duplicates, entity candidates, sources no theme matches); this adds the warnings that
need the finished Briefing (no title, no date, no theme, a figure without a unit) unless the
pipeline reported the same thing already, and decides the exit status.
"""

from __future__ import annotations

import json

from .models import Briefing, Problem

EXIT_CLEAN, EXIT_WARNINGS, EXIT_ERRORS = 0, 1, 2
UNKNOWN_UNITS = {"", "number", "unknown", "?"}


def briefing_warnings(briefing: Briefing) -> list[Problem]:
    """Warnings about each source's metadata and extraction that the pipeline itself does not raise."""
    already = {(p.path, p.code) for p in briefing.problems}
    warnings: list[Problem] = []

    def warn(path: str, code: str, message: str) -> None:
        if (path, code) not in already:
            already.add((path, code))
            warnings.append(Problem("warning", path, message, code=code))

    for result in briefing.results:
        doc = result.document
        if not doc.title:
            warn(doc.path, "no-title", "no title found; set `title:` in front matter")
        if not doc.date:
            warn(doc.path, "no-date", "no date found; set `date:` (YYYY-MM-DD) in front matter")
        if briefing.themes and not result.themes:
            warn(doc.path, "no-theme", "matches no theme of the taxonomy")
        for figure in result.figures:
            if figure.unit.strip().lower() in UNKNOWN_UNITS:
                warn(doc.path, "figure-unit", f"figure {figure.text!r}: its unit could not be told")
    return warnings


def check_problems(briefing: Briefing) -> list[Problem]:
    """Every problem of the briefing plus the checker's own, sorted like the build's."""
    problems = list(briefing.problems) + briefing_warnings(briefing)
    return sorted(problems, key=lambda p: (p.path, p.line or 0, p.severity, p.code, p.message))


def exit_status(problems: list[Problem], strict: bool) -> int:
    if any(p.severity == "error" for p in problems):
        return EXIT_ERRORS
    if strict and problems:
        return EXIT_WARNINGS
    return EXIT_CLEAN


def counts(problems: list[Problem]) -> dict[str, int]:
    errors = sum(1 for p in problems if p.severity == "error")
    return {"errors": errors, "warnings": len(problems) - errors}


def format_text(problems: list[Problem], sources: int) -> str:
    """One line per problem, ``path[:line]: severity: message [code]``, then a summary line."""
    lines = [f"{p} [{p.code}]" if p.code else str(p) for p in problems]
    c = counts(problems)
    lines.append(f"briefing check: {sources} source(s), {c['errors']} error(s), {c['warnings']} warning(s)")
    return "\n".join(lines) + "\n"


def format_json(problems: list[Problem], sources: int, status: int) -> str:
    data = {
        "sources": sources,
        **counts(problems),
        "exit_status": status,
        "problems": [{"severity": p.severity, "path": p.path, "line": p.line, "code": p.code, "message": p.message}
                     for p in problems],
    }
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
