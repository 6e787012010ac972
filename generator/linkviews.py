"""View data for the pages issue 5 adds (entities, quotes, timeline) and the cross-links it
adds to existing pages (source <-> theme <-> entity <-> figure <-> quote, related sources,
takeaways). Plain dicts only; markup is in the templates. Called once from render.build_views.
"""

from __future__ import annotations

from functools import cache, partial
from operator import itemgetter

from . import urls
from .figure_views import FigureRows

TIMELINE_ON_HOME = 5
sentence_key = itemgetter("source", "sentence")  # a record's sentence, as (source, sentence id): what passages take
KIND_TITLES = {"organisation": "Organisations", "person": "People", "model": "Models",
               "product": "Products", "place": "Places"}


def link_views(data: dict, sources: list[dict], themes: list[dict], figure_rows: list[dict],
               source_ref) -> dict:
    """Extra view keys, and cross-link keys added in place to the source and theme views."""
    theme_titles = {t["id"]: t["title"] for t in data["themes"]}
    entity_by_id = {e["id"]: e for e in data["entities"]}

    @cache  # one dict per entity, shared by every view that links to it, as source_ref's are
    def entity_ref(entity_id: str) -> dict:
        entity = entity_by_id[entity_id]
        return {"id": entity_id, "name": entity["name"], "kind": entity["kind"], "page": entity["page"]}

    @cache
    def theme_ref(theme_id: str) -> dict:
        return {"id": theme_id, "title": theme_titles[theme_id], "page": urls.theme_page(theme_id)}

    quotes = []
    for quote in data["quotes"]:
        quotes.append(dict(
            quote, anchor=quote["id"], source_ref=source_ref(quote["source"]),
            speaker_ref=entity_ref(quote["entity"]) if quote["entity"] in entity_by_id else None,
            theme_refs=[theme_ref(t) for t in quote["themes"]],
            link=f"{urls.QUOTES}#{quote['id']}"))
    quote_by_id = {q["id"]: q for q in quotes}
    figure_by_id = {r["id"]: r for r in figure_rows}
    for row in figure_rows:  # figure -> entity and theme (the figure table may show them)
        row["entity_refs"] = [entity_ref(e) for e in row.get("entities", []) if e in entity_by_id]
        row["theme_refs"] = [theme_ref(t) for t in row.get("themes", [])]

    entities = []
    for entity in data["entities"]:
        # Each sentence once, as a (source, sentence id) pair: pages quote them with ``passages`` as
        # they render; the mentions themselves are not kept (tens of thousands at 1,000 sources).
        mentioned = list(dict.fromkeys(map(sentence_key, entity["mentions"])))
        entities.append(dict(
            {key: value for key, value in entity.items() if key != "mentions"},
            mention_count=len(entity["mentions"]),
            kind_title=KIND_TITLES.get(entity["kind"], entity["kind"]),
            parent_ref=entity_ref(entity["parent"]) if entity["parent"] else None,
            child_refs=[entity_ref(c) for c in entity["children"]],
            source_refs=[source_ref(s) for s in entity["sources"]],
            mentioned=mentioned,
            figure_rows=FigureRows(figure_by_id[f] for f in entity["figures"] if f in figure_by_id),
            quote_rows=[quote_by_id[q] for q in entity["quotes"]],
            theme_refs=[theme_ref(t) for t in entity["themes"]],
            related_refs=[dict(entity_ref(r["id"]), count=r["count"]) for r in entity["related"]],
        ))
    entities.sort(key=lambda e: (-len(e["sources"]), e["name"].lower(), e["id"]))
    entity_groups = []
    for kind, title in KIND_TITLES.items():
        members = [e for e in entities if e["kind"] == kind]
        if members:
            entity_groups.append({"kind": kind, "title": title, "entities": members})

    source_by_id = {s["id"]: s for s in sources}
    for source in sources:  # source -> entities, quotes, related sources
        source["entity_refs"] = [entity_ref(e) for e in source.get("entities", []) if e in entity_by_id]
        source["quote_rows"] = [quote_by_id[q] for q in source.get("quotes", [])]
        source["related_refs"] = [dict(r, title=source_ref(r["source"])["title"],
                                       theme_titles=[theme_titles[t] for t in r["themes"]])
                                  for r in source.pop("related", []) if r["source"] in source_by_id]  # kept once
    mentioned_in = {entity["id"]: set(entity["mentioned"])
                    for entity in entities if entity["kind"] != "place"}  # once, not once per theme
    for theme in themes:  # theme -> entities and quotes in the sentences that carry it
        carried = set(theme["sentences"])
        named = {}
        for entity_id, keys in mentioned_in.items():
            hits = len(keys & carried)
            if hits:
                named[entity_id] = hits
        theme["entity_refs"] = [dict(entity_ref(e), count=n)
                                for e, n in sorted(named.items(), key=lambda kv: (-kv[1], kv[0]))][:15]
        theme["quote_rows"] = [q for q in quotes if sentence_key(q) in carried]

    timeline = [dict(row, source_ref=source_ref(row["source"])) for row in data["timeline"]]
    takeaways = []
    for item in data["takeaways"]:
        takeaways.append(dict(
            item, source_ref=source_ref(item["source"]),
            citations=[dict(c, title=source_ref(c["source"])["title"]) for c in item["citations"]],
            theme_refs=[theme_ref(t) for t in item["themes"]],
            entity_refs=[entity_ref(e) for e in item["entities"] if e in entity_by_id]))
    candidates = [dict(c, mentions=[dict(m, title=source_ref(m["source"])["title"]) for m in c["mentions"]])
                  for c in data["entity_candidates"]]
    untagged = [s for s in sources if not s["themes"]]
    return {
        "entities": entities,
        "entity_groups": entity_groups,
        "entity_candidates": candidates,
        "quotes": quotes,
        "direct_quotes": [q for q in quotes if q["kind"] == "direct"],
        "timeline": timeline,
        "timeline_latest": list(reversed(timeline[-TIMELINE_ON_HOME:])),
        "takeaways": takeaways,
        "theme_candidates": data["theme_candidates"],
        "untagged_sources": untagged,
    }


class Deferred:
    """Part of one page's view, made by the worker that renders the page rather than held for
    every page at once (a source's text blocks, the passages a theme page quotes). ``inputs``,
    where given, is all that ``make`` makes it from: what the page's digest reads instead, so a
    page reused from the previous build never makes it."""

    __slots__ = ("make", "inputs")

    def __init__(self, make, inputs=None) -> None:
        self.make = make
        self.inputs = inputs


def resolved(extra: dict) -> dict:
    return {key: value.make() if type(value) is Deferred else value for key, value in extra.items()}


def made_unless_known(extra: dict) -> dict:
    """``extra`` with the Deferred parts that have no ``inputs`` made (``digested`` must read them)."""
    return {key: value.make() if type(value) is Deferred and value.inputs is None else value
            for key, value in extra.items()}


def digested(extra: dict) -> dict:
    """What a page's digest reads of ``extra`` (``made_unless_known``'s): each Deferred part's inputs."""
    return {key: value.inputs if type(value) is Deferred else value for key, value in extra.items()}


def link_pages(views: dict, passages) -> list[tuple[str, str, str, dict]]:
    """(output path, template, title, extra context) for the pages this module adds (``passages``
    quotes sentences grouped by source: render.passages over the views)."""
    pages = [
        (urls.ENTITIES, "pages/entities.html", "Entities", {}),
        (urls.QUOTES, "pages/quotes.html", "Quotes", {}),
        (urls.TIMELINE, "pages/timeline.html", "Timeline", {}),
    ]
    pages += [(e["page"], "pages/entity.html", e["name"],
               {"entity": e, "quoted": Deferred(partial(passages, e["mentioned"]))})
              for e in views["entities"]]
    return pages


def link_search_text(extra: dict) -> str | None:
    """Text for the search index of an entity page (its names), None for other pages."""
    if "entity" in extra:
        entity = extra["entity"]
        return " ".join([entity["name"], *entity["aliases"]])
    return None
