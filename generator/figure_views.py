"""View data for figures: cross-source notes per row, filter choices, chart geometry, downloads.

Plain data only: the templates (``pages/figures.html``, ``partials/figure_table.html``,
``partials/figure_chart.html``) draw it. The CSV and JSON downloads are built from exactly the
rows the figures page shows, so the three always agree.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import orjson

from .export import JSON_OPTIONS
from .output import utf8_batches

CSV_PATH = "figures/figures.csv"
JSON_PATH = "figures/figures.json"
COLUMNS = ("id", "source", "source_title", "text", "value", "high", "unit", "bound", "measures", "subject",
           "year", "themes", "group", "group_kind", "sentence", "page")

# chart geometry, in SVG user units
_CHART_WIDTH, _LABEL_WIDTH, _VALUE_WIDTH = 640, 200, 110
_BAR_HEIGHT, _BAR_GAP, _PADDING = 22, 10, 8


class FigureRows(list):
    """Figure-table rows (views) that a page lists. A row is listed on four pages or more (its
    source's, the figures page, its themes' and entities'), and the figure-row round digests each
    row once (``render._shared_rows``): a page's digest reads a row as that digest instead of
    pickling it again (``render.row_digest_reducers``)."""

    __slots__ = ()


def plain_number(value: float | None) -> str:
    """A value as data (no separators): 21900000000, 13.5, 1e+23."""
    if value is None:
        return ""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def download_record(r: dict) -> dict:
    """A figure as the downloads carry it: one flat record, as the figures page shows it."""
    return {
        "id": r["id"], "source": r["source"], "source_title": r["source_title"], "text": r["text"],
        "value": r["value"], "high": r.get("high"), "unit": r["unit"], "bound": r["bound"],
        "measures": r["measures"], "subject": r.get("subject", ""), "year": r.get("year"),
        "themes": list(r.get("themes", [])), "group": r.get("group"), "group_kind": r.get("group_kind"),
        "sentence": r["sentence"], "page": r["page"],
    }


def _csv_text(rows: list[dict]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        record = download_record(row)
        writer.writerow([
            plain_number(record[c]) if c in ("value", "high") and record[c] is not None
            else ";".join(record[c]) if c == "themes"
            else "" if record[c] is None else str(record[c])
            for c in COLUMNS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def _json_text(rows: list[dict], count: int = 256) -> Iterator[bytes]:
    """``json.dumps(records, indent=2)``'s layout of every record (keys sorted; numbers as
    ``export.compact_json`` writes them), ``count`` records at a time:
    never the whole list of records or text (issue 8). Each record is indented by orjson, in C
    (the json module indents in Python), and moved in under the list."""
    yield b"["
    for start in range(0, len(rows), count):
        yield b"".join((b"," if start + offset else b"") + b"\n  " + orjson.dumps(
            download_record(row), option=JSON_OPTIONS | orjson.OPT_INDENT_2).replace(b"\n", b"\n  ")
            for offset, row in enumerate(rows[start:start + count]))
    yield b"\n]\n" if rows else b"]\n"


def figure_downloads(rows: list[dict]) -> dict[str, Iterator[bytes]]:
    """figures/figures.csv and figures/figures.json: deterministic bytes, made as they are written."""
    return {CSV_PATH: utf8_batches(_csv_text(rows)), JSON_PATH: _json_text(rows)}


def _what(row: dict) -> str:
    subject, measures = row.get("subject") or "", row["measures"]
    return measures[len(subject):].strip() if subject and measures.startswith(subject) else measures


def figure_charts(rows: list[dict]) -> list[dict]:
    """Bar charts where figures compare like with like: the same counted noun (downloads) or the same
    measure in the same unit (a share of the same thing), for two or more different subjects."""
    series: dict[tuple[str, str], list[dict]] = {}
    charted: set[tuple[str, str, str]] = set()  # (unit, what, subject): one bar per subject, the first row
    for row in rows:
        if not row.get("subject") or row["bound"] in ("<", "<=") or row["unit"] in ("times", "count"):
            continue
        counted = not (row["unit"].isupper() or row["unit"] in ("percent", "percentage points", "basis points"))
        key = (row["unit"], "" if counted else _what(row))
        if not counted and not key[1]:
            continue
        series.setdefault(key, [])
        bar = (*key, row["subject"].lower())
        if bar not in charted:
            charted.add(bar)
            series[key].append(row)
    charts = []
    for (unit, what), members in sorted(series.items()):
        if len(members) < 2:
            continue
        members = sorted(members, key=lambda r: (-r["value"], r["subject"], r["id"]))
        largest = max(r["value"] for r in members) or 1.0
        span = _CHART_WIDTH - _LABEL_WIDTH - _VALUE_WIDTH
        bars = []
        for index, row in enumerate(members):
            y = _PADDING + index * (_BAR_HEIGHT + _BAR_GAP)
            length = round(max(1.0, span * row["value"] / largest), 2)
            bars.append({"label": row["subject"], "row": row, "x": _LABEL_WIDTH, "y": y,
                         "width": length, "height": _BAR_HEIGHT, "text_y": round(y + _BAR_HEIGHT * 0.7, 2),
                         "value_x": round(_LABEL_WIDTH + length + 6, 2), "label_x": _LABEL_WIDTH - 6})
        title = f"{what} ({unit})" if what else unit
        charts.append({
            "id": "chart-" + "-".join("".join(c if c.isalnum() else "-" for c in part.lower())
                                      for part in (unit, what) if part).strip("-"),
            "title": title, "unit": unit, "what": what, "bars": bars,
            "width": _CHART_WIDTH, "height": 2 * _PADDING + len(bars) * (_BAR_HEIGHT + _BAR_GAP) - _BAR_GAP,
        })
    return charts


def figure_filters(rows: list[dict], theme_titles: dict[str, str]) -> dict:
    """The choices of the figures page's filters (shown only when its script runs)."""
    return {
        "sources": sorted({(r["source"], r["source_title"]) for r in rows}, key=lambda s: s[1].lower()),
        "units": sorted({r["unit"] for r in rows}),
        "themes": sorted({(t, theme_titles.get(t, t)) for r in rows for t in r.get("themes", [])},
                         key=lambda t: t[1].lower()),
    }


def add_cross_references(rows: list[dict], groups: list[dict]) -> None:
    """Each row learns which other sources state the same figure (or a conflicting one)."""
    by_id = {r["id"]: r for r in rows}
    for row in rows:
        row.setdefault("cross", None)
    for group in groups:
        # Each member's entry made once and shared by the other members' lists: a group of k
        # figures holds k entries, not k * (k - 1) (issue 8).
        entries = {o: {"text": by_id[o]["text"], "source_title": by_id[o]["source_title"], "page": by_id[o]["page"]}
                   for o in group["figures"] if o in by_id}
        for fid in group["figures"]:
            if fid not in by_id:
                continue
            by_id[fid]["cross"] = {"kind": group["kind"], "group": group["id"],
                                   "others": [entries[o] for o in group["figures"] if o != fid and o in by_id]}


def figure_views(rows: list[dict], groups: list[dict], theme_titles: dict[str, str]) -> dict:
    """Everything the figure templates need beyond the rows themselves."""
    add_cross_references(rows, groups)
    return {
        "figure_charts": figure_charts(rows),
        "figure_filters": figure_filters(rows, theme_titles),
        "figure_downloads": {"csv": CSV_PATH, "json": JSON_PATH},
    }
