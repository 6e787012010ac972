"""Stage 3c: the organisations, people, products, models and places each sentence names.

Known names come from the editors' gazetteer (``gazetteer.yml``: canonical name, kind, aliases,
parent), so "Qwen" and "Tongyi Qianwen" are one entity and DeepSeek-R1 is a model of DeepSeek.
Names the gazetteer lacks (capitalised multi-word names, names introduced by a role such as
"Meta CTO Andrew Bosworth") are still found and reported as candidates, so the gazetteer is never
the only source of truth. No statistical NER model: rules over capitalisation and role words.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from .config import ConfigError
from .models import Document, EntityDef, Mention, Problem
from .read import load_yaml
from .names import (COUNTRY_CODES, GENERIC, LABEL_NOUNS, PERSON_ROLES, ROLE_WORDS, STOPWORDS, Token, is_clause_gap,
                    role_after, role_before, tokens)

KINDS = ("organisation", "person", "product", "model", "place")
CONNECTORS = frozenset({"of", "for", "&", "de", "von", "van", "du"})
ORG_SUFFIXES = frozenset("""inc ltd corp corporation group office party council journal news bank university
institute ministry department agency committee commission association foundation labs lab times post
tower capital ventures partners""".split())


def slug(name: str) -> str:
    """An entity id for URLs: lower-case letters and digits joined by hyphens."""
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return text or "entity"


def parse_gazetteer(raw: object, where: str) -> tuple[EntityDef, ...]:
    """Validate the gazetteer's YAML list; a bad entry is a one-line ConfigError naming the file."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ConfigError(f"{where}: expected a list of {{name, kind, aliases, parent}}")
    entities: list[EntityDef] = []
    seen: dict[str, str] = {}
    for n, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"].strip():
            raise ConfigError(f"{where}: entry {n}: expected a mapping with a name")
        name = item["name"].strip()
        kind = str(item.get("kind") or "organisation")
        if kind not in KINDS:
            raise ConfigError(f"{where}: entry {n} ({name}): kind must be one of {', '.join(KINDS)}")
        aliases = item.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            raise ConfigError(f"{where}: entry {n} ({name}): aliases must be a list of names")
        entity_id = slug(name)
        if entity_id in seen:
            raise ConfigError(f"{where}: entry {n}: duplicate entity {name!r} (as {seen[entity_id]!r})")
        seen[entity_id] = name
        parent = item.get("parent")
        entities.append(EntityDef(entity_id, name, kind, tuple(a.strip() for a in aliases),
                                  slug(str(parent)) if parent else None))
    ids = {e.id for e in entities}
    for entity in entities:
        if entity.parent and entity.parent not in ids:
            raise ConfigError(f"{where}: {entity.name}: parent {entity.parent!r} is not in the gazetteer")
    return tuple(entities)


def load_gazetteer(path: Path, required: bool = False) -> tuple[EntityDef, ...]:
    """The gazetteer file; a missing default file is an empty gazetteer, an unreadable one an error."""
    if not path.exists():
        if required:
            raise ConfigError(f"{path}: gazetteer file not found")
        return ()
    try:
        raw = load_yaml(path.read_text("utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{line}: not valid YAML") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the gazetteer ({exc.__class__.__name__})") from None
    return parse_gazetteer(raw, str(path))


def alias_pattern(alias: str) -> re.Pattern:
    """Whole-name pattern: hyphens and spaces interchangeable, straight/curly apostrophes alike;
    short or all-capital aliases ("US", "Meta") match case-sensitively, longer ones in any case."""
    parts = [re.sub(r"['’]", "['’]", re.escape(p)) for p in re.split(r"[\s-]+", alias.strip()) if p]
    body = r"[\s-]+".join(parts)
    flags = 0 if (len(alias) <= 4 or alias.isupper()) else re.I
    return re.compile(r"(?<![\w-])" + body + r"(?![\w]|-\w)", flags)


def _alias_key(text: str) -> str:
    return re.sub(r"[\s-]+", " ", text.replace("’", "'")).strip()


@lru_cache(maxsize=8)
def _compiled(gazetteer: tuple[EntityDef, ...]) -> tuple[tuple[re.Pattern, dict[str, str]], ...]:
    """Two alternations (case-sensitive names, names in any case), longest names first, and a
    map from each name's normalised spelling to its entity: one regex pass per sentence."""
    exact: dict[str, str] = {}
    folded: dict[str, str] = {}
    for entity in gazetteer:
        for name in sorted({entity.name, *entity.aliases}):
            key = _alias_key(name)
            if len(name) <= 4 or name.isupper():
                exact.setdefault(key, entity.id)
            else:
                folded.setdefault(key.lower(), entity.id)
    compiled = []
    for table, flags in ((exact, 0), (folded, re.I)):
        if not table:
            continue
        bodies = []
        for key in sorted(table, key=lambda k: (-len(k), k)):
            parts = [re.sub(r"['’]", "['’]", re.escape(p)) for p in key.split(" ") if p]
            bodies.append(r"[\s-]+".join(parts))
        pattern = re.compile(r"(?<![\w-])(?:" + "|".join(bodies) + r")(?![\w]|-\w)", flags)
        compiled.append((pattern, table))
    return tuple(compiled)


@dataclass
class GazetteerTables:
    """What is worked out from the gazetteer in use, held by identity (``gazetteer_tables``)."""

    gazetteer: tuple[EntityDef, ...]
    patterns: tuple[tuple[re.Pattern, dict[str, str]], ...]  # _compiled(gazetteer)
    kinds: dict[str, str]  # entity id -> kind
    spans: dict[str, tuple[tuple[int, int, str], ...]] = field(default_factory=dict)  # remembered_spans


_tables: GazetteerTables | None = None


def gazetteer_tables(gazetteer: tuple[EntityDef, ...]) -> GazetteerTables:
    """The tables of ``gazetteer``, found by identity: hashing the whole tuple per sentence (as a
    cache keyed by the gazetteer would) costs more than the search itself."""
    global _tables
    if _tables is None or _tables.gazetteer is not gazetteer:
        _tables = GazetteerTables(gazetteer, _compiled(gazetteer), {e.id: e.kind for e in gazetteer})
    return _tables


def remembered_spans(text: str, gazetteer: tuple[EntityDef, ...]) -> tuple[tuple[int, int, str], ...]:
    """``gazetteer_spans`` of a short text (a name) that is looked up again and again, remembered."""
    cache = gazetteer_tables(gazetteer).spans
    found = cache.get(text)
    if found is None:
        if len(cache) >= 20000:
            cache.clear()
        found = cache[text] = tuple(gazetteer_spans(text, gazetteer))
    return found


def gazetteer_spans(text: str, gazetteer: tuple[EntityDef, ...]) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, entity id) for every gazetteer name; the longest name wins."""
    hits = []
    for index, (pattern, table) in enumerate(gazetteer_tables(gazetteer).patterns):
        for match in pattern.finditer(text):
            key = _alias_key(match.group())
            entity_id = table.get(key if index == 0 and pattern.flags & re.I == 0 else key.lower())
            if entity_id is None:
                entity_id = table.get(key) or table.get(key.lower())
            if entity_id is not None:
                hits.append((match.start(), match.end(), entity_id))
    hits.sort(key=lambda h: (h[0], -(h[1] - h[0]), h[2]))
    kept: list[tuple[int, int, str]] = []
    for hit in hits:
        if kept and hit[0] < kept[-1][1]:
            continue
        kept.append(hit)
    return kept


def looks_like_heading(text: str) -> bool:
    """Title Case lines ("Market Expansion & Global Reach") are headings, not running text."""
    if text.rstrip().endswith((".", "?", "!")):
        return False  # checked first: most sentences end so, and tokenising them was a fifth of the map
    words = [t for t in tokens(text) if t.word[:1].isalpha()]
    content = [t for t in words if t.lower not in STOPWORDS]
    if len(words) < 2 or len(content) < 2:
        return False
    return sum(1 for t in content if t.capitalised) / len(content) >= 0.75


def _runs(text: str, toks: list[Token]) -> list[list[Token]]:
    """Sequences of capitalised tokens separated only by spaces (connectors like "of" inside)."""
    runs: list[list[Token]] = []
    current: list[Token] = []
    for index, tok in enumerate(toks):
        joined = current and not is_clause_gap(text, current[-1], tok)
        if tok.capitalised and not tok.word[0].isdigit():
            if joined:
                current.append(tok)
            else:
                if current:
                    runs.append(current)
                current = [tok]
        elif tok.lower in CONNECTORS and joined and index + 1 < len(toks) and toks[index + 1].capitalised \
                and not is_clause_gap(text, tok, toks[index + 1]):
            current.append(tok)
        else:
            if current:
                runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


_NUMBER = re.compile(r"\d{1,3}(?:\.\d+)*")
_AMOUNT_WORDS = frozenset("percent per cent million billion trillion thousand hundred bn mn".split())


def number_after(text: str, toks: list[Token], index: int) -> Token | None:
    """The number that directly follows ``toks[index]`` and goes with it ("Level 5", "Opus 4",
    "ERNIE 4.5"): one to three digits, maybe dotted, after plain spaces. A year ("Sensor Tower
    2024 data"), a percentage or an amount ("5,000", "5 million") is not such a number."""
    if index + 1 >= len(toks) or is_clause_gap(text, toks[index], toks[index + 1]):
        return None
    number = toks[index + 1]
    if not _NUMBER.fullmatch(number.word) or text[number.end:number.end + 1] in ("%", "‰") \
            or re.match(r",\d", text[number.end:number.end + 2]):
        return None
    if index + 2 < len(toks) and toks[index + 2].lower in _AMOUNT_WORDS:
        return None
    return number


def is_country_code(tok: Token, entity_id: str | None, kinds: dict[str, str]) -> bool:
    """An all-capital code of two to four letters ("US", "U.K.", "EU") naming a country or bloc:
    one of the common codes in COUNTRY_CODES, or any place the gazetteer knows by such a code."""
    letters = tok.word.replace(".", "")
    if tok.possessive or not (2 <= len(letters) <= 4 and letters.isalpha() and letters.isupper()):
        return False
    return letters.lower() in COUNTRY_CODES or (entity_id is not None and kinds.get(entity_id) == "place")


def candidate_names(text: str, spans: list[tuple[int, int, str]],
                    kinds: dict[str, str]) -> list[tuple[int, int, str]]:
    """(start, end, role) of names the gazetteer does not know: runs of two or more capitalised
    words, or one capitalised word right after a role noun ("AI startup Abeja").

    A country code in front of a longer name is a modifier, as a demonym is ("Chinese AI firms"):
    "the US Wall Street Journal" and "the Wall Street Journal" are one paper, and "EU Digital
    Markets Act" is the Digital Markets Act. The code stays only when the rest would be too short
    to be a name on its own ("EU AI Act", not "Act"). Codes spelt in full ("Beijing Academy of
    Artificial Intelligence", "Springfield Nuclear Plant") are often part of the name and stay.

    A number right after a name goes with its last word. After a label noun ("MATH Level 5",
    "Phase 3", "Robot Olympics Level 5") it numbers a part of something: the run is a label, not a
    candidate, since where the name before the label ends cannot be told. After any other word
    it is a version and is part of the name: "Claude Opus 4" is reported whole, not as "Claude Opus".
    """
    starts = [start for start, _, _ in spans]  # spans are sorted and do not overlap

    def in_gazetteer(tok: Token) -> str | None:
        index = bisect.bisect_right(starts, tok.start) - 1
        if index >= 0 and tok.end <= spans[index][1]:
            return spans[index][2]
        return None

    def modifier(tok: Token) -> bool:
        # Leading words that are not part of the name: function words, known organisations
        # and role nouns ("Meta CTO Andrew Bosworth"), generic vocabulary ("Chinese AI").
        entity_id = in_gazetteer(tok)
        return tok.lower in STOPWORDS or tok.lower in GENERIC or tok.lower in ROLE_WORDS \
            or tok.lower in CONNECTORS or bool(entity_id and kinds.get(entity_id) != "place")

    found = []
    toks = tokens(text)
    position = {tok.start: index for index, tok in enumerate(toks)}
    for run in _runs(text, toks):
        last = run[-1]
        while run:
            if modifier(run[0]):
                run = run[1:]
                continue
            if is_country_code(run[0], in_gazetteer(run[0]), kinds):
                rest = run[1:]
                while rest and modifier(rest[0]):
                    rest = rest[1:]
                if len(rest) >= 2:  # "US Wall Street Journal", "US CEO Tim Cook"
                    run = rest
                    continue
            break
        while run and (run[-1].lower in GENERIC or run[-1].lower in CONNECTORS or run[-1].lower in STOPWORDS):
            run = run[:-1]
        number = number_after(text, toks, position[last.start]) if run and run[-1] is last else None
        if number is not None and last.lower in LABEL_NOUNS:
            continue  # "MATH Level 5": a numbered label, not a name
        if len(run) == 2 and in_gazetteer(run[0]):
            run = run[1:]  # "US Congressional": a place and one word is not a new name
        if not run:
            continue
        if all(in_gazetteer(t) for t in run):
            continue
        if any(in_gazetteer(t) and kinds.get(in_gazetteer(t)) != "place" for t in run):
            continue  # a known name inside ("Alibaba Cloud Qwen"): the gazetteer covers it
        start, end = run[0].start, (number or run[-1]).end
        role, role_kind = role_before(text, start)
        if role and role.split()[-1].lower() not in ROLE_WORDS:
            role = ""  # "Japan's Ministry": a possessive is an affiliation, not a role
        if not role:
            role = role_after(text, end)
        if len(run) >= 2 or role:
            if len(run) == 1 and (run[0].lower in GENERIC or any(c.isdigit() for c in run[0].word)):
                continue
            found.append((start, end, role))
    return found


def find_mentions(document: Document, gazetteer: tuple[EntityDef, ...]) -> list[Mention]:
    """Every gazetteer name and every candidate name in the document, sentence by sentence."""
    kinds = gazetteer_tables(gazetteer).kinds
    mentions: list[Mention] = []
    for sentence in document.sentences:
        text = sentence.text
        spans = gazetteer_spans(text, gazetteer)
        for start, end, entity_id in spans:
            mentions.append(Mention(entity_id, document.id, sentence.id, text[start:end], start))
        if looks_like_heading(text):  # Title Case: every word capitalised, no names to tell apart
            continue
        for start, end, role in candidate_names(text, spans, kinds):
            mentions.append(Mention("", document.id, sentence.id, text[start:end], start, role))
    return mentions


def candidate_kind(name: str, roles: list[str]) -> str:
    """A guess for the editor: person or organisation from the role noun, else from the name's suffix."""
    for role in roles:
        words = [w.lower() for w in role.split() if w.lower() not in ("the", "a", "an")]
        for noun in (words[-1], words[0]) if words else ():
            if noun in PERSON_ROLES:
                return "person"
            if noun in ROLE_WORDS:
                return "organisation"
    if name.split()[-1].lower() in ORG_SUFFIXES:
        return "organisation"
    return "entity"


def candidate_problems(document: Document, mentions: tuple[Mention, ...] | list[Mention]) -> list[Problem]:
    """One warning per candidate name in a source, for `briefing check` and the entities page."""
    by_name: dict[str, list[Mention]] = {}
    for mention in mentions:
        if not mention.entity:
            by_name.setdefault(canonical_candidate(mention.text), []).append(mention)
    problems = []
    for name in sorted(by_name):
        found = by_name[name]
        roles = sorted({m.role for m in found if m.role})
        kind = candidate_kind(name, roles)
        detail = f" ({roles[0]})" if roles else ""
        problems.append(Problem(
            "warning", document.path,
            f"possible {kind} not in the gazetteer: {name!r}{detail}, "
            f"{len(found)} mention(s)", code="entity-candidate"))
    return problems


def canonical_candidate(text: str) -> str:
    """Candidate names compare with curly/straight apostrophes and hyphen/space variants merged."""
    return re.sub(r"\s+", " ", text.replace("’", "'")).strip()


def ancestors(entity_id: str, parents: dict[str, str | None]) -> list[str]:
    """The entity, its parent, the parent's parent... (a cycle stops the walk)."""
    chain = [entity_id]
    while parents.get(chain[-1]) and parents[chain[-1]] not in chain:
        chain.append(parents[chain[-1]])
    return chain


def entity_records(briefing, figure_rows: list[dict], quote_rows: list[dict], sentence_themes: dict,
                   direct_in: dict[tuple[str, str], set[str]]) -> list[dict]:
    """One record per gazetteer entity that the sources name (itself or one of its models,
    products or people): its mentions with links, its figures, quotes, themes and related entities.
    ``direct_in``: (source, sentence id) -> the gazetteer entities the sentence names
    (``related.named_entities``)."""
    from . import urls
    defs = {e.id: e for e in briefing.gazetteer}
    parents = {e.id: e.parent for e in briefing.gazetteer}
    children: dict[str, list[str]] = {}
    for entity in briefing.gazetteer:
        if entity.parent:
            children.setdefault(entity.parent, []).append(entity.id)
    mentions: dict[str, list[dict]] = {}
    chains = {entity_id: tuple(ancestors(entity_id, parents)) for entity_id in defs}  # once per entity
    for result in briefing.results:
        for mention in result.mentions:
            chain = chains.get(mention.entity)
            if chain is None:
                continue
            row = {"entity": mention.entity, "source": mention.source, "sentence": mention.sentence,
                   "text": mention.text, "page": urls.sentence_link(mention.source, mention.sentence)}
            for owner in chain:  # one row, listed by the entity and its ancestors
                mentions.setdefault(owner, []).append(row)
    # Figures by sentence and quotes by entity (and its ancestors), once: not a scan per entity.
    figures_in: dict[tuple[str, str], list[int]] = {}
    for n, row in enumerate(figure_rows):
        figures_in.setdefault((row["source"], row["sentence_id"]), []).append(n)
    quotes_of: dict[str, list[str]] = {}
    for quote in quote_rows:
        if quote["entity"]:
            for owner in ancestors(quote["entity"], parents):
                quotes_of.setdefault(owner, []).append(quote["id"])
    # What each entity's sentences hold (the entities named beside it, themes, figures), gathered
    # in one pass over the sentences: looked up per entity and sentence, these were three lookups
    # in dicts of every sentence for each (5,000 sources: 1.1 M, most of the time this takes).
    named_beside: dict[str, list[str]] = {entity_id: [] for entity_id in mentions}
    themes_of: dict[str, set[str]] = {entity_id: set() for entity_id in mentions}
    figures_of: dict[str, list[int]] = {entity_id: [] for entity_id in mentions}
    for key, named in direct_in.items():
        owners = chains[next(iter(named))] if len(named) == 1 else set().union(*(chains[e] for e in named))
        themes, figures = sentence_themes.get(key, ()), figures_in.get(key, ())
        for owner in owners:
            named_beside[owner].extend(named)
            themes_of[owner].update(themes)
            figures_of[owner].extend(figures)
    lineages = {entity_id: frozenset(chain) for entity_id, chain in chains.items()}

    records = []
    for entity_id in sorted(mentions):
        entity = defs[entity_id]
        lineage = lineages[entity_id]
        co = {other: n for other, n in Counter(named_beside[entity_id]).items()
              if other != entity_id and entity_id not in lineages[other] and other not in lineage}
        firsts: dict[tuple[str, str, str], dict] = {}  # each (source, sentence, entity) once, first row kept
        for row in mentions[entity_id]:
            firsts.setdefault((row["source"], row["sentence"], row["entity"]), row)
        unique_mentions = list(firsts.values())
        records.append({
            "id": entity.id, "name": entity.name, "kind": entity.kind, "aliases": list(entity.aliases),
            "parent": entity.parent if entity.parent in mentions else None,
            "children": sorted(c for c in children.get(entity.id, ()) if c in mentions),
            "page": urls.entity_page(entity.id),
            "sources": sorted({m["source"] for m in unique_mentions}),
            "mentions": unique_mentions,
            "figures": [figure_rows[n]["id"] for n in sorted(figures_of[entity_id])],
            "quotes": list(quotes_of.get(entity_id, ())),
            "themes": sorted(themes_of[entity_id]),
            "related": [{"id": other, "count": n}
                        for other, n in sorted(co.items(), key=lambda kv: (-kv[1], kv[0]))[:12]],
        })
    return records


def candidate_records(briefing) -> list[dict]:
    """Names the gazetteer lacks, merged across sources, for the entities page and `briefing check`."""
    from . import urls
    found: dict[str, list] = {}
    for result in briefing.results:
        for mention in result.mentions:
            if not mention.entity:
                found.setdefault(canonical_candidate(mention.text), []).append(mention)
    records = []
    for name in sorted(found, key=lambda n: (-len({m.source for m in found[n]}), n.lower(), n)):
        group = found[name]
        roles = sorted({m.role for m in group if m.role})
        records.append({
            "name": name, "kind": candidate_kind(name, roles), "roles": roles,
            "sources": sorted({m.source for m in group}),
            "mentions": [{"source": m.source, "sentence": m.sentence,
                          "page": urls.sentence_link(m.source, m.sentence)} for m in group],
        })
    return records
