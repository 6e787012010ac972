"""What changed between two builds, in briefing terms (sources, figures, themes, entities, quotes).

Pure functions over two ``briefing.json`` dicts, so a reviewer sees "a figure went from 40% to
45%" rather than a moved ``div``. Keys that older exports lack (entities, quotes) count as empty.

Figures are matched in three steps: the same id (content-hashed from source, sentence and text)
means unchanged; then, within one source and unit, an unmatched old and new figure that measure
the same thing (overlapping "measures" words, or failing those overlapping sentence words) are
the same figure, "changed" when its value or bound differs; whatever is left is added or removed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

_STOPWORDS = {"the", "a", "an", "of", "in", "on", "for", "to", "and", "or", "its", "their", "with",
              "by", "at", "from", "as", "is", "are", "was", "has", "have", "than", "that", "this"}
SIMILAR = 0.5  # share of the smaller word set two phrases must have in common
SOURCE_FIELDS = ("title", "date", "publisher", "author", "url", "page")
FIGURE_FIELDS = ("id", "source", "text", "value", "unit", "bound", "measures", "year", "sentence", "page")
QUOTE_FIELDS = ("id", "source", "speaker", "text", "kind", "page")


class DiffInputError(ValueError):
    """OLD or NEW is not a readable build."""


def load_briefing(path: Path) -> dict:
    """A build's data from a site folder (its ``briefing.json``) or a ``briefing.json`` file."""
    path = Path(path)
    target = path / "briefing.json" if path.is_dir() else path
    try:
        data = json.loads(target.read_text("utf-8"))
    except OSError as exc:
        raise DiffInputError(f"{target}: cannot read: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise DiffInputError(f"{target}: not valid JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("sources", []), list):
        raise DiffInputError(f"{target}: not a briefing.json (no list of sources)")
    return data


def _words(text: str) -> set[str]:
    return {w.rstrip("s") for w in re.findall(r"[a-z0-9]+", (text or "").lower())} - _STOPWORDS


def similarity(a: str, b: str) -> float:
    """Shared content words over the smaller set; 0 when either has none."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / min(len(wa), len(wb))


def _records(data: dict, key: str) -> list[dict]:
    value = data.get(key)
    return [r for r in value if isinstance(r, dict) and isinstance(r.get("id"), str)] if isinstance(value, list) else []


def _by_id(data: dict, key: str) -> dict[str, dict]:
    return {r["id"]: r for r in _records(data, key)}


def _source_summary(source: dict) -> dict:
    return {"id": source["id"], "title": source.get("title"), "page": source.get("page")}


def _figure_summary(figure: dict) -> dict:
    return {k: figure.get(k) for k in FIGURE_FIELDS}


def diff_sources(old: dict, new: dict) -> dict:
    before, after = _by_id(old, "sources"), _by_id(new, "sources")
    changed = []
    for sid in sorted(before.keys() & after.keys()):
        fields = {f: [before[sid].get(f), after[sid].get(f)] for f in SOURCE_FIELDS
                  if before[sid].get(f) != after[sid].get(f)}
        if fields:
            changed.append({"id": sid, "title": after[sid].get("title"), "fields": fields})
    return {
        "added": [_source_summary(after[s]) for s in sorted(after.keys() - before.keys())],
        "removed": [_source_summary(before[s]) for s in sorted(before.keys() - after.keys())],
        "changed": changed,
    }


def _figure_match_score(a: dict, b: dict) -> float:
    """How surely two figures of one source and unit are the same figure (0 = not at all)."""
    measures = similarity(a.get("measures", ""), b.get("measures", ""))
    if a.get("measures") and b.get("measures"):
        return measures if measures >= SIMILAR else 0.0
    sentence = similarity(a.get("sentence", ""), b.get("sentence", ""))
    return sentence if sentence >= SIMILAR else 0.0


def diff_figures(old: dict, new: dict) -> dict:
    before, after = _by_id(old, "figures"), _by_id(new, "figures")
    gone = [before[i] for i in sorted(before.keys() - after.keys())]
    came = [after[i] for i in sorted(after.keys() - before.keys())]
    candidates = []
    for i, a in enumerate(gone):
        for j, b in enumerate(came):
            if a.get("source") == b.get("source") and a.get("unit") == b.get("unit"):
                score = _figure_match_score(a, b)
                if score > 0:
                    candidates.append((-score, a["id"], b["id"], i, j))
    paired_old: set[int] = set()
    paired_new: set[int] = set()
    changed = []
    for _, _, _, i, j in sorted(candidates):
        if i in paired_old or j in paired_new:
            continue
        paired_old.add(i)
        paired_new.add(j)
        a, b = gone[i], came[j]
        if (a.get("value"), a.get("bound")) != (b.get("value"), b.get("bound")):
            changed.append({"source": b.get("source"), "unit": b.get("unit"), "measures": b.get("measures"),
                            "old": _figure_summary(a), "new": _figure_summary(b)})
        # same value reworded (an edit elsewhere in its sentence): not a change worth reporting
    changed.sort(key=lambda c: (c["source"] or "", c["new"]["id"]))
    return {
        "added": [_figure_summary(b) for j, b in enumerate(came) if j not in paired_new],
        "removed": [_figure_summary(a) for i, a in enumerate(gone) if i not in paired_old],
        "changed": changed,
    }


def _members(record: dict) -> set[str]:
    """The source ids a theme or entity covers: ``sources``, or the sources of its ``mentions``."""
    sources = record.get("sources")
    if isinstance(sources, list):
        return {s for s in sources if isinstance(s, str)} | \
               {s["id"] for s in sources if isinstance(s, dict) and isinstance(s.get("id"), str)}
    mentions = record.get("mentions")
    if isinstance(mentions, list):
        return {m["source"] for m in mentions if isinstance(m, dict) and isinstance(m.get("source"), str)}
    return set()


def diff_membership(old: dict, new: dict, key: str) -> dict:
    """Themes or entities added and removed, and which sources joined or left each one."""
    before, after = _by_id(old, key), _by_id(new, key)

    def label(record: dict) -> dict:
        return {"id": record["id"], "title": record.get("title") or record.get("name") or record["id"],
                "sources": sorted(_members(record))}

    membership = []
    for rid in sorted(before.keys() & after.keys()):
        was, now = _members(before[rid]), _members(after[rid])
        if was != now:
            membership.append({"id": rid, "title": label(after[rid])["title"],
                               "added": sorted(now - was), "removed": sorted(was - now)})
    return {
        "added": [label(after[r]) for r in sorted(after.keys() - before.keys())],
        "removed": [label(before[r]) for r in sorted(before.keys() - after.keys())],
        "membership": membership,
    }


def _quote_key(quote: dict) -> tuple[str, str]:
    return (str(quote.get("source", "")), " ".join(str(quote.get("text", "")).split()).casefold())


def diff_quotes(old: dict, new: dict) -> dict:
    """Quotes matched by id, or by source and text (ids of older exports may differ)."""
    before, after = _records(old, "quotes"), _records(new, "quotes")
    after_ids, after_keys = {q["id"] for q in after}, {_quote_key(q) for q in after}
    before_ids, before_keys = {q["id"] for q in before}, {_quote_key(q) for q in before}

    def summary(q: dict) -> dict:
        return {k: q.get(k) for k in QUOTE_FIELDS}

    return {
        "added": sorted((summary(q) for q in after if q["id"] not in before_ids and _quote_key(q) not in before_keys),
                        key=lambda q: (str(q["source"]), q["id"])),
        "removed": sorted((summary(q) for q in before if q["id"] not in after_ids and _quote_key(q) not in after_keys),
                          key=lambda q: (str(q["source"]), q["id"])),
    }


def diff_basis(data: dict) -> dict:
    """The part of a briefing's data the diff reads: ``diff_briefings(diff_basis(old), new)`` is
    ``diff_briefings(old, new)``. A build keeps this of itself for the next build's Changes page:
    a tenth of ``briefing.json`` (no source text, no sentences, no mention lists; issue 8)."""

    def fields(record: dict, names: tuple[str, ...]) -> dict:
        return {name: record[name] for name in names if name in record}

    def membership(record: dict) -> dict:
        return dict(fields(record, ("id", "title", "name")), sources=sorted(_members(record)))

    return {
        "sources": [fields(r, ("id", *SOURCE_FIELDS)) for r in _records(data, "sources")],
        "figures": [fields(r, FIGURE_FIELDS) for r in _records(data, "figures")],
        "themes": [membership(r) for r in _records(data, "themes")],
        "entities": [membership(r) for r in _records(data, "entities")],
        "quotes": [fields(r, QUOTE_FIELDS) for r in _records(data, "quotes")],
    }


def diff_briefings(old: dict, new: dict) -> dict:
    """Every change from ``old`` to ``new``, grouped by kind, in a stable order."""
    changes = {
        "sources": diff_sources(old, new),
        "figures": diff_figures(old, new),
        "themes": diff_membership(old, new, "themes"),
        "entities": diff_membership(old, new, "entities"),
        "quotes": diff_quotes(old, new),
    }
    changes["count"] = sum(len(items) for section in changes.values() for items in section.values())
    return changes


def has_changes(changes: dict) -> bool:
    return changes["count"] > 0


def _value(figure: dict) -> str:
    bound = figure.get("bound") or "="
    prefix = "" if bound == "=" else f"{bound} "
    return f'"{figure.get("text")}" ({prefix}{figure.get("value")} {figure.get("unit")})'


def format_text(changes: dict) -> str:
    """The changes for people: one line per change, prefixed + (added), - (removed), ~ (changed)."""
    if not has_changes(changes):
        return "No changes.\n"
    lines: list[str] = []
    s = changes["sources"]
    if any(s.values()):
        lines.append(f"Sources: {len(s['added'])} added, {len(s['removed'])} removed, {len(s['changed'])} changed")
        lines += [f"  + {x['id']}: {x['title'] or ''}".rstrip() for x in s["added"]]
        lines += [f"  - {x['id']}: {x['title'] or ''}".rstrip() for x in s["removed"]]
        for x in s["changed"]:
            for name, (was, now) in x["fields"].items():
                lines.append(f"  ~ {x['id']}: {name}: {was!r} -> {now!r}")
    f = changes["figures"]
    if any(f.values()):
        lines.append(f"Figures: {len(f['added'])} added, {len(f['removed'])} removed, {len(f['changed'])} changed")
        for c in f["changed"]:
            lines.append(f"  ~ {c['source']}: {c['measures'] or c['unit']}: {_value(c['old'])} -> {_value(c['new'])}")
        lines += [f"  + {x['source']}: {_value(x)} {x['measures'] or ''}".rstrip() for x in f["added"]]
        lines += [f"  - {x['source']}: {_value(x)} {x['measures'] or ''}".rstrip() for x in f["removed"]]
    for key, title in (("themes", "Themes"), ("entities", "Entities")):
        t = changes[key]
        if any(t.values()):
            lines.append(f"{title}: {len(t['added'])} added, {len(t['removed'])} removed, "
                         f"{len(t['membership'])} with other sources")
            lines += [f"  + {x['id']} ({', '.join(x['sources']) or 'no sources'})" for x in t["added"]]
            lines += [f"  - {x['id']}" for x in t["removed"]]
            for m in t["membership"]:
                moves = [f"+{s}" for s in m["added"]] + [f"-{s}" for s in m["removed"]]
                lines.append(f"  ~ {m['id']}: {' '.join(moves)}")
    q = changes["quotes"]
    if any(q.values()):
        lines.append(f"Quotes: {len(q['added'])} added, {len(q['removed'])} removed")
        lines += [f"  + {x['source']}: {x['speaker'] or '?'}: \"{x['text']}\"" for x in q["added"]]
        lines += [f"  - {x['source']}: {x['speaker'] or '?'}: \"{x['text']}\"" for x in q["removed"]]
    return "\n".join(lines) + "\n"
