"""Cross-source links: which sources are related (shared themes and entities, explained), and
the glue that adds figure groups, entities, quotes, timeline and takeaways to ``briefing.json``.

Everything here is computed from the per-source results at once (the "reduce"), so it lives
apart from the per-source stages; export.py calls ``crossref_data`` and ``groups_and_takeaways`` once.
"""

from __future__ import annotations

from . import urls
from .entities import ancestors, candidate_records, entity_records
from .corroborate import group_figures
from .models import Briefing, FigureGroup
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
    related: dict[str, list[dict]] = {}
    for source, (scores, positions) in zip(ids, _top_related(ids, source_themes, entities_of, places)):
        rows = []
        for score, j in zip(scores, positions):
            other = ids[j]
            shared = sorted(set(entities_of.get(source, ())) & set(entities_of.get(other, ())) - places)
            rows.append({"source": other, "score": score,
                         "themes": sorted(set(source_themes.get(source, ())) & set(source_themes.get(other, ()))),
                         "entities": shared, "entity_names": [names[e] for e in shared],
                         "page": urls.source_page(other)})
        related[source] = rows
    return related


ROWS_PER_BLOCK = 256  # scores are computed a block of sources at a time: 256 x n numbers in memory


def _top_related(ids: list[str], source_themes: dict[str, list[str]], entities_of: dict[str, list[str]],
                 places: set[str]) -> list[tuple[list[int], list[int]]]:
    """Per source (in ``ids`` order): the scores and positions of its ``MAX_RELATED`` best others,
    best first; score = shared themes + 2 x shared entities (places excluded), ties to the lower
    position, a score of 0 is no relation.

    Every pair is scored, so it is a matrix product (issue 8: the Python loop over pairs grew with
    the square of the sources, 8 s at 3,000). The scores are small integers, exact in float64."""
    import numpy as np  # here, not at import time: only a build's reduce needs it (one BLAS thread: __init__.py)

    themes = sorted({t for s in ids for t in source_themes.get(s, ())})
    entities = sorted({e for s in ids for e in entities_of.get(s, ())} - places)
    column = {("theme", t): i for i, t in enumerate(themes)}
    column.update({("entity", e): len(themes) + i for i, e in enumerate(entities)})
    n = len(ids)
    if n < 2:
        return [([], [])] * n  # nothing to relate to
    member = np.zeros((n, len(column)), dtype=np.float64)  # source x (theme | entity): 0 or 1
    for row, source in enumerate(ids):
        for t in source_themes.get(source, ()):
            member[row, column[("theme", t)]] = 1
        for e in set(entities_of.get(source, ())) - places:
            member[row, column[("entity", e)]] = 1
    weighted = member.copy()
    weighted[:, len(themes):] *= 2  # a shared entity counts twice
    wanted = min(MAX_RELATED, n - 1)  # at least 1
    order_bonus = -np.arange(n, dtype=np.float64)  # ties go to the lower position
    top: list[tuple[list[int], list[int]]] = []
    for start in range(0, n, ROWS_PER_BLOCK):
        stop = min(start + ROWS_PER_BLOCK, n)
        scores = weighted[start:stop] @ member.T
        scores[np.arange(stop - start), np.arange(start, stop)] = 0  # a source is not related to itself
        rank = scores * (n + 1) + order_bonus  # higher score first, then lower position: all distinct
        best = np.argpartition(-rank, wanted - 1, axis=1)[:, :wanted]
        for row in range(stop - start):
            chosen = sorted(best[row].tolist(), key=lambda j: -rank[row, j])
            kept = [j for j in chosen if scores[row, j] > 0]
            top.append(([int(scores[row, j]) for j in kept], kept))
    return top


def crossref_data(briefing: Briefing, data: dict, sentence_themes: dict[tuple[str, str], set[str]],
                  direct: dict[tuple[str, str], set[str]]) -> dict:
    """The entities, quotes, timeline and candidates of briefing.json; ``data`` is the export built
    so far. ``sentence_themes`` and ``direct``: (source, sentence id) -> the themes it touches and
    the gazetteer entities it names (``named_entities``)."""
    quotes = quote_records(briefing, sentence_themes)
    entities = entity_records(briefing, data["figures"], quotes, sentence_themes, direct)
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
    for figure in data["figures"]:
        figure["entities"] = sorted(direct.get((figure["source"], figure["sentence_id"]), ()))
    timeline = timeline_records(briefing)
    return {
        "entities": entities,
        "entity_candidates": candidate_records(briefing),
        "quotes": quotes,
        "timeline": timeline,
        "theme_candidates": [{"phrase": p, "sources": n, "mentions": c} for p, n, c in briefing.theme_candidates],
    }


def named_entities(briefing: Briefing) -> dict[tuple[str, str], set[str]]:
    """(source, sentence id) -> the gazetteer entities the sentence names."""
    known = {e.id for e in briefing.gazetteer}
    direct: dict[tuple[str, str], set[str]] = {}
    for result in briefing.results:
        for mention in result.mentions:
            if mention.entity in known:
                direct.setdefault((mention.source, mention.sentence), set()).add(mention.entity)
    return direct


def groups_and_takeaways(briefing: Briefing, sentence_themes: dict[tuple[str, str], set[str]],
                         direct: dict[tuple[str, str], set[str]]) -> tuple[tuple[FigureGroup, ...], list[dict]]:
    """The figure groups (corroborate.py) and the takeaways, which rank sentences by them: the two
    steps of the export that need the groups, so they can run apart from the rest (export.py)."""
    groups = group_figures(briefing.figures)
    return groups, takeaway_records(briefing, groups, sentence_themes, direct)
