"""Cross-source links: which sources are related (shared themes and entities, explained), and
the glue that adds entities, quotes, timeline and takeaways to ``briefing.json``.

Everything here is computed from the per-source results at once (the "reduce"), so it lives
apart from the per-source stages; export.py calls ``crossref_data`` once.
"""

from __future__ import annotations

import heapq

from . import urls
from .entities import ancestors, candidate_records, entity_records
from .models import Briefing
from .quotes import quote_records
from .takeaways import takeaway_records
from .timeline import timeline_records

MAX_RELATED = 5


def source_entities(briefing: Briefing) -> dict[str, list[str]]:
    """Per source, the gazetteer entities it names (a model also counts for its maker)."""
    parents = {e.id: e.parent for e in briefing.gazetteer}
    known = set(parents)
    found: dict[str, set[str]] = {}
    for result in briefing.results:
        names = found.setdefault(result.document.id, set())
        for mention in result.mentions:
            if mention.entity in known:
                names.update(ancestors(mention.entity, parents))
    return {source: sorted(names) for source, names in found.items()}


def related_records(briefing: Briefing, source_themes: dict[str, list[str]],
                    entities_of: dict[str, list[str]]) -> dict[str, list[dict]]:
    """Per source, the sources sharing the most themes and entities (places count for nothing:
    every source names China), with what they share so the page can explain the link."""
    kinds = {e.id: e.kind for e in briefing.gazetteer}
    names = {e.id: e.name for e in briefing.gazetteer}
    ids = [r.document.id for r in briefing.results]
    places = {e for e, k in kinds.items() if k == "place"}
    # sets computed once per source, and dicts only for the kept rows: the pair loop stays cheap (issue 8)
    theme_sets = {s: frozenset(source_themes.get(s, ())) for s in ids}
    entity_sets = {s: frozenset(entities_of.get(s, ())) - places for s in ids}
    related: dict[str, list[dict]] = {}
    for source in ids:
        my_themes, my_entities = theme_sets[source], entity_sets[source]
        scored = []
        for other in ids:
            if other == source:
                continue
            score = len(my_themes & theme_sets[other]) + 2 * len(my_entities & entity_sets[other])
            if score:
                scored.append((-score, other))
        rows = []
        for negative, other in heapq.nsmallest(MAX_RELATED, scored):
            shared = sorted(my_entities & entity_sets[other])
            rows.append({"source": other, "score": -negative, "themes": sorted(my_themes & theme_sets[other]),
                         "entities": shared, "entity_names": [names[e] for e in shared],
                         "page": urls.source_page(other)})
        related[source] = rows
    return related


def crossref_data(briefing: Briefing, data: dict) -> dict:
    """The parts of briefing.json this issue adds; ``data`` is the export built so far."""
    sentence_themes: dict[tuple[str, str], set[str]] = {}
    for match in briefing.theme_matches:
        sentence_themes.setdefault((match.source, match.sentence), set()).add(match.theme)
    quotes = quote_records(briefing, sentence_themes)
    entities = entity_records(briefing, data["figures"], quotes, sentence_themes)
    entities_of = source_entities(briefing)
    page_entities = {e["id"] for e in entities}
    source_themes = {s["id"]: s["themes"] for s in data["sources"]}
    related = related_records(briefing, source_themes, entities_of)
    for source in data["sources"]:
        source["entities"] = [e for e in entities_of.get(source["id"], []) if e in page_entities]
        source["related"] = related.get(source["id"], [])
        source["quotes"] = [q["id"] for q in quotes if q["source"] == source["id"]]
    direct: dict[tuple[str, str], set[str]] = {}
    for result in briefing.results:
        for mention in result.mentions:
            if mention.entity in page_entities:
                direct.setdefault((mention.source, mention.sentence), set()).add(mention.entity)
    for figure in data["figures"]:
        key = (figure["source"], figure["sentence_id"])
        figure["entities"] = sorted(direct.get(key, ()))
        figure["themes"] = sorted(sentence_themes.get(key, ()))
    timeline = timeline_records(briefing)
    return {
        "entities": entities,
        "entity_candidates": candidate_records(briefing),
        "quotes": quotes,
        "timeline": timeline,
        "theme_candidates": [{"phrase": p, "sources": n, "mentions": c} for p, n, c in briefing.theme_candidates],
        "takeaways": takeaway_records(briefing, data, sentence_themes, direct),
    }
