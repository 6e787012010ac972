"""Stage 5: the public data contract, ``briefing.json`` (and its JSON Schema).

The export is what reviewers diff and tools read, so it is deterministic: keys sorted,
lists in a stable order, nothing from the clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources

import orjson

from . import __version__, urls
from .models import Briefing
from .parallel import running_in_child
from .related import crossref_data, groups_and_takeaways, named_entities

SCHEMA_VERSION = 1


def briefing_data(briefing: Briefing, jobs: int = 0) -> dict:
    """The briefing as plain JSON-ready data.

    The figure groups, and the takeaways that rank sentences by them, are worked out in a forked
    child while this process makes the rest (``parallel.running_in_child``; with ``jobs`` 1,
    here and first): at 1,000 sources they are 0.5 s of the 0.8 this takes, on a core otherwise idle."""
    sentence_themes: dict[tuple[str, str], set[str]] = {}
    for match in briefing.theme_matches:
        sentence_themes.setdefault((match.source, match.sentence), set()).add(match.theme)
    direct = named_entities(briefing)
    with running_in_child(groups_and_takeaways, briefing, sentence_themes, direct, jobs=jobs) as grouped:
        data = _ungrouped_data(briefing, sentence_themes, direct)
        groups, takeaways = grouped()
    group_of = {fid: g for g in groups for fid in g.figures}
    for figure in data["figures"]:
        group = group_of.get(figure["id"])
        if group is not None:
            figure["group"], figure["group_kind"] = group.id, group.kind
    data["figure_groups"] = [{
        "id": g.id,
        "kind": g.kind,
        "figures": list(g.figures),
        "sources": list(g.sources),
        "value": g.value,
        "unit": g.unit,
        "measures": g.measures,
    } for g in groups]
    data["takeaways"] = takeaways
    return data


def _ungrouped_data(briefing: Briefing, sentence_themes: dict, direct: dict) -> dict:
    """Everything of ``briefing_data`` but the figure groups and the takeaways (left empty)."""
    sentence_text = {(d.id, s.id): s.text for d in briefing.documents for s in d.sentences}
    theme_sources: dict[str, set[str]] = {}
    source_themes: dict[str, set[str]] = {}
    theme_sentences: dict[str, list[dict]] = {}
    for match in briefing.theme_matches:
        theme_sources.setdefault(match.theme, set()).add(match.source)
        source_themes.setdefault(match.source, set()).add(match.theme)
        theme_sentences.setdefault(match.theme, []).append({
            "source": match.source,
            "sentence": match.sentence,
            "cue": match.cue,
            "page": urls.sentence_link(match.source, match.sentence),
        })

    sources = []
    for result in briefing.results:
        doc = result.document
        sources.append({
            "id": doc.id,
            "path": doc.path,
            "kind": doc.kind,
            "title": doc.title,
            "date": doc.date,
            "publisher": doc.publisher,
            "author": doc.author,
            "url": doc.url,
            "language": doc.language,
            "page": urls.source_page(doc.id),
            "text": doc.text,
            "excluded": [{"text": e.text, "reason": e.reason} for e in doc.excluded],
            "sentences": [{"id": s.id, "text": s.text} for s in doc.sentences],
            "themes": sorted(source_themes.get(doc.id, ())),
            "figures": [f.id for f in result.figures],
        })

    figures = [{
        "id": f.id,
        "source": f.source,
        "text": f.text,
        "value": f.value,
        "unit": f.unit,
        "bound": f.bound,
        "measures": f.measures,
        "year": f.year,
        "sentence": sentence_text[(f.source, f.sentence)],
        "sentence_id": f.sentence,
        "page": urls.sentence_link(f.source, f.sentence),
        "group": None,  # set once the groups are known (briefing_data)
        "group_kind": None,
        "high": f.high,
        "subject": f.subject,
        "themes": sorted(sentence_themes.get((f.source, f.sentence), ())),
    } for f in briefing.figures]

    themes = [{
        "id": t.id,
        "title": t.title,
        "description": t.description,
        "cues": list(t.cues),
        "sources": sorted(theme_sources.get(t.id, ())),
        "sentences": theme_sentences.get(t.id, []),
        "page": urls.theme_page(t.id),
    } for t in briefing.themes]

    problems = [{
        "severity": p.severity,
        "path": p.path,
        "line": p.line,
        "code": p.code,
        "message": p.message,
    } for p in briefing.problems]

    data = {
        "schema_version": SCHEMA_VERSION,
        "generator": {"name": "briefing", "version": __version__},
        "title": briefing.title,
        "sources": sources,
        "figures": figures,
        "figure_groups": [],
        "themes": themes,
        "problems": problems,
    }
    # entities, quotes, timeline, related (generator/related.py)
    data.update(crossref_data(briefing, data, sentence_themes, direct))
    data["takeaways"] = []
    return data


EXPANDED_LEVELS = 3  # top object, its lists, their records: one field per line below that
STREAMED_LEVELS = 2  # the top object and its lists are made piece by piece, each record whole


def json_chunks(data: dict) -> Iterator[bytes]:
    """Canonical JSON, as UTF-8 pieces: sorted keys, UTF-8 characters kept, final newline.

    The first levels are indented (two spaces), a record's fields one per line, so a diff shows
    which record and field changed; each field's value is on one line, compact (``compact_json``).
    The text comes record by record, so a caller can write it out without holding it whole:
    at thousands of sources it is hundreds of megabytes (issue 8)."""
    yield from _pieces(data, 0)
    yield b"\n"


def to_json(data: dict) -> str:
    """``json_chunks`` as one string."""
    return b"".join(json_chunks(data)).decode("utf-8")


def _pieces(value, level: int) -> Iterator[bytes]:
    """The text of ``value`` at nesting ``level``: the expanded levels' layout, with each value
    below ``STREAMED_LEVELS`` (a record) joined into one piece."""
    if level >= STREAMED_LEVELS or not isinstance(value, (dict, list)) or not value:
        yield _joined(value, level)
        return
    inner, outer = b"\n" + b"  " * (level + 1), b"\n" + b"  " * level
    if isinstance(value, dict):
        opening, closing, items = b"{", b"}", ((_KEY_TEXTS[key], value[key]) for key in sorted(value))
    else:
        opening, closing, items = b"[", b"]", ((b"", item) for item in value)
    separator = opening
    for label, item in items:
        yield separator + inner + label
        yield from _pieces(item, level + 1)
        separator = b","
    yield outer + closing


def _joined(value, level: int) -> bytes:
    """The text of ``value`` at nesting ``level`` as one piece: each item of a record on its own
    line while ``level`` is expanded, then each item (a field's value) in one call of the encoder,
    with no generator per record (1,000 sources: 600,000 values)."""
    if level >= EXPANDED_LEVELS or not isinstance(value, (dict, list)) or not value:
        return compact_json(value)
    inner, outer = b"\n" + b"  " * (level + 1), b"\n" + b"  " * level
    if level + 1 < EXPANDED_LEVELS:
        fields = [_KEY_TEXTS[key] + _joined(value[key], level + 1) for key in sorted(value)] \
            if isinstance(value, dict) else [_joined(item, level + 1) for item in value]
    else:  # the last expanded level calls the encoder itself, not through a function of ours:
        # millions of fields at 5,000 sources, each Python call a cost of its own (1.05 -> 1.00 s)
        fields = [_KEY_TEXTS[key] + orjson.dumps(value[key], option=JSON_OPTIONS) for key in sorted(value)] \
            if isinstance(value, dict) else [orjson.dumps(item, option=JSON_OPTIONS) for item in value]
    opening, closing = (b"{", b"}") if isinstance(value, dict) else (b"[", b"]")
    return opening + inner + (b"," + inner).join(fields) + outer + closing


class _KeyTexts(dict):
    """A field's name as a record of briefing.json writes it (as JSON, then ": "), by name: the
    names are few, each encoded once."""

    def __missing__(self, key) -> bytes:
        text = self[key] = compact_json(str(key)) + b": "
        return text


_KEY_TEXTS = _KeyTexts()


# Keys sorted; keys that are not strings written as strings, as the json module does.
JSON_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def compact_json(value) -> bytes:
    """``value`` as one line of JSON, UTF-8: keys sorted, no spaces, UTF-8 characters kept.

    By orjson, in C: with the json module's encoder briefing.json took 0.37 s of CPU at 1,000
    sources, with this 0.20 (issue 8; docs/scaling.md). Numbers read back as the same values; a few
    are written differently (``2.5e-7`` and ``0.00001`` where json writes ``2.5e-07`` and ``1e-05``)."""
    return orjson.dumps(value, option=JSON_OPTIONS)


def schema_text() -> str:
    """The JSON Schema of ``briefing.json``, shipped with the package."""
    return resources.files("generator").joinpath("briefing.schema.json").read_text("utf-8")


def schema_file() -> dict[str, bytes]:
    """briefing.json's schema, site-relative (briefing.json itself is written by ``build``, piece by piece)."""
    return {urls.SCHEMA: schema_text().encode("utf-8")}
