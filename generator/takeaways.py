"""Key takeaways for the home page: extractive and deterministic.

A sentence is a takeaway when what it says is echoed across the sources: it carries figures
other sources corroborate, themes many sources share, entities many sources name. Each comes
with its citations: its own sentence and the sentences of other sources that back it up.
"""

from __future__ import annotations

from . import urls
from .entities import looks_like_heading
from .models import Briefing, FigureGroup

MAX_TAKEAWAYS = 6
MAX_PER_SOURCE = 2
MIN_WORDS = 10
MAX_CITATIONS = 3  # backing sentences from other sources, strongest first


def takeaway_records(briefing: Briefing, groups: tuple[FigureGroup, ...], sentence_themes: dict,
                     sentence_entities: dict) -> list[dict]:
    """The takeaways, strongest first. ``groups``: the briefing's figure groups (corroborate.py);
    ``sentence_themes`` and ``sentence_entities``: (source, sentence id) -> the themes it touches
    and the gazetteer entities it names."""
    theme_sources: dict[str, set[str]] = {}
    for (source, _), themes in sentence_themes.items():
        for theme in themes:
            theme_sources.setdefault(theme, set()).add(source)
    entity_sources: dict[str, set[str]] = {}
    entity_sentences: dict[str, list[tuple[str, str]]] = {}  # the sentences that can back a takeaway naming it
    for key, entities in sentence_entities.items():
        for entity in entities:
            entity_sources.setdefault(entity, set()).add(key[0])
            entity_sentences.setdefault(entity, []).append(key)
    places = {e.id for e in briefing.gazetteer if e.kind == "place"}
    by_id = {g.id: g for g in groups}
    corroborated_in = {fid: g.id for g in groups if g.kind == "corroborated" for fid in g.figures}
    figures_in: dict[tuple[str, str], list[str]] = {}
    figure_source: dict[str, tuple[str, str]] = {}
    for figure in briefing.figures:
        figures_in.setdefault((figure.source, figure.sentence), []).append(figure.id)
        figure_source[figure.id] = (figure.source, figure.sentence)
    # Every sentence that names something is scored (sums of weights looked up once per theme,
    # entity and group); the text checks, sorting and the rest wait until a sentence ranks high
    # enough to be considered (issue 8): the same picks.
    theme_weight = {theme: len(sources) for theme, sources in theme_sources.items()}
    entity_weight = {entity: len(sources) for entity, sources in entity_sources.items() if entity not in places}
    group_weight = {g.id: 3 * len(g.sources) for g in groups if g.kind == "corroborated"}
    themes_of, entities_of, figures_of = sentence_themes.get, sentence_entities.get, figures_in.get
    scored = []
    for document in briefing.documents:
        for index, sentence in enumerate(document.sentences):
            key = (document.id, sentence.id)
            themes, entities, figures = themes_of(key, ()), entities_of(key, ()), figures_of(key, ())
            if not (themes or entities or figures):
                continue  # names nothing: scores nothing
            entities = [e for e in entities if e in entity_weight]  # places count for nothing
            corroborated = {corroborated_in[f] for f in figures if f in corroborated_in} if figures else set()
            score = (sum(map(theme_weight.__getitem__, themes)) + sum(map(entity_weight.__getitem__, entities))
                     + sum(map(group_weight.__getitem__, corroborated)))
            if score:
                scored.append((-score, document.id, index, document, sentence, themes, entities, corroborated))
    scored.sort(key=lambda row: row[:3])
    picked, per_source, used_signatures = [], {}, set()
    for _, source, _, document, sentence, themes, entities, corroborated in scored:
        if per_source.get(source, 0) >= MAX_PER_SOURCE or not _stands_alone(document, sentence):
            continue
        themes, entities, corroborated = sorted(themes), sorted(entities), sorted(corroborated)
        signature = (tuple(themes), tuple(entities))
        if signature in used_signatures:
            continue
        per_source[source] = per_source.get(source, 0) + 1
        used_signatures.add(signature)
        picked.append({
            "source": source, "sentence": sentence.id, "text": sentence.text,
            "page": urls.sentence_link(source, sentence.id),
            "themes": themes, "entities": entities, "figure_groups": corroborated,
            "citations": _citations(source, sentence.id, themes, entities, corroborated,
                                    sentence_themes, sentence_entities, entity_sentences, figure_source, by_id),
        })
        if len(picked) >= MAX_TAKEAWAYS:
            break
    return picked


def _stands_alone(document, sentence) -> bool:
    """A sentence that reads as a statement: long enough, not a heading, a label or a question."""
    text = sentence.text.strip()
    paragraph = document.paragraphs[sentence.paragraph] if sentence.paragraph < len(document.paragraphs) else None
    return not (len(text.split()) < MIN_WORDS or text.endswith((":", "?"))
                or (paragraph is not None and paragraph.kind == "heading") or looks_like_heading(text))


def _citations(source, sentence, themes, entities, corroborated, sentence_themes, sentence_entities,
               entity_sentences, figure_source, groups) -> list[dict]:
    """The takeaway's own sentence, then the best backing sentence of each other source.

    ``entity_sentences``: entity id -> the (source, sentence) keys naming it (a backing sentence
    shares an entity and a theme); ``figure_source``: figure id -> (source, sentence);
    ``groups``: figure group id -> the group."""
    cites = [{"source": source, "sentence": sentence, "page": urls.sentence_link(source, sentence)}]
    backing: dict[str, tuple[int, str]] = {}
    for group in corroborated:
        for fid in groups[group].figures:
            other, other_sentence = figure_source[fid]
            if other != source:
                backing[other] = min(backing.get(other, (0, "~")), (-100, other_sentence))
    for other, other_sentence in {key for entity in entities for key in entity_sentences.get(entity, ())}:
        if other == source:
            continue
        shared_themes = set(themes) & set(sentence_themes.get((other, other_sentence), ()))
        shared_entities = set(entities) & set(sentence_entities.get((other, other_sentence), ()))
        overlap = len(shared_themes) + 2 * len(shared_entities)
        if shared_themes and shared_entities:  # the same thing said about the same actor
            backing[other] = min(backing.get(other, (0, "~")), (-overlap, other_sentence))
    strongest = sorted(backing, key=lambda o: (backing[o][0], o))[:MAX_CITATIONS]
    for other in sorted(strongest):
        cites.append({"source": other, "sentence": backing[other][1],
                      "page": urls.sentence_link(other, backing[other][1])})
    return cites
