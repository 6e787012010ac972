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
    ids = sorted(r.document.id for r in briefing.results)  # so a position orders like its id
    places = {e for e, k in kinds.items() if k == "place"}
    # Every pair is scored, so sets are bit masks: an AND and a bit count per pair (issue 8).
    theme_bit = {t: 1 << i for i, t in enumerate(sorted({t for s in ids for t in source_themes.get(s, ())}))}
    entity_bit = {e: 1 << i for i, e in enumerate(sorted({e for s in ids for e in entities_of.get(s, ())} - places))}
    theme_mask = [sum(theme_bit[t] for t in set(source_themes.get(s, ()))) for s in ids]
    entity_mask = [sum(entity_bit[e] for e in set(entities_of.get(s, ())) - places) for s in ids]
    related: dict[str, list[dict]] = {}
    for i, source in enumerate(ids):
        my_themes, my_entities = theme_mask[i], entity_mask[i]
        scored = [(-score, j) for j in range(len(ids))
                  if j != i and (score := (my_themes & theme_mask[j]).bit_count()
                                 + 2 * (my_entities & entity_mask[j]).bit_count())]
        rows = []
        for negative, j in heapq.nsmallest(MAX_RELATED, scored):
            other = ids[j]
            shared = sorted(set(entities_of.get(source, ())) & set(entities_of.get(other, ())) - places)
            rows.append({"source": other, "score": -negative,
                         "themes": sorted(set(source_themes.get(source, ())) & set(source_themes.get(other, ()))),
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
    quotes_of: dict[str, list[str]] = {}
    for quote in quotes:
        quotes_of.setdefault(quote["source"], []).append(quote["id"])
    for source in data["sources"]:
        source["entities"] = [e for e in entities_of.get(source["id"], []) if e in page_entities]
        source["related"] = related.get(source["id"], [])
        source["quotes"] = quotes_of.get(source["id"], [])
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
