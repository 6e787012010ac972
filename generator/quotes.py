"""Stage 3d: direct quotes and reported statements, each with its speaker and role.

A quotation mark pair is a quote only when someone says it: a speech verb and a name next to
it, before or after the quote, or a lead-in sentence ending in a colon ("Meta CTO Andrew
Bosworth's warning resonates:" then the quote on the next line). Short phrases in quotation
marks without a speaker ("data security") are scare quotes, not quotes. Reported speech
("Jensen Huang points out that ...") is kept as a paraphrase.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import string

from .entities import candidate_kind, gazetteer_tables, remembered_spans
from .models import Document, EntityDef, Quote, Sentence
from .names import GENERIC, ROLE_WORDS, STOPWORDS, WINDOW, Token, role_after, role_before, tokens

SPEECH_VERBS = ("said", "says", "say", "stated", "states", "state", "told", "tells", "wrote", "writes",
                "added", "adds", "noted", "notes", "warned", "warns", "argued", "argues", "explained",
                "explains", "asked", "asks", "declared", "declares", "insisted", "insists", "claimed",
                "claims", "remarked", "remarks", "observed", "observes", "commented", "comments",
                "pointed out", "points out", "point out", "predicted", "predicts", "believes", "believed",
                "acknowledged", "acknowledges", "admitted", "admits", "suggested", "suggests", "stressed",
                "stresses", "emphasised", "emphasized", "emphasises", "emphasizes", "reported", "reports",
                "contended", "contends", "recalled", "recalls", "put it", "puts it", "replied", "replies")
SPEECH_NOUNS = ("warning", "words", "remark", "remarks", "comment", "comments", "statement", "message",
                "verdict", "view", "advice", "answer", "reply", "prediction", "quip", "line", "argument")
MAX_VERBS_PER_SENTENCE = 8  # reported speech names its speaker early; bounds the work on odd input
MIN_QUOTE_WORDS = 4  # shorter quoted phrases are labels and scare quotes, not statements
_VERB = "|".join(sorted((re.escape(v).replace(r"\ ", r"\s+") for v in SPEECH_VERBS), key=len, reverse=True))
_ADVERB = r"(?:\s+(?:also|recently|once|later|then|previously|publicly|repeatedly|simply|bluntly|famously))?"
_QUOTE_SPANS = (re.compile(r"“([^“”]+)”"), re.compile(r"(?:(?<=^)|(?<=[\s(\[—–-]))\"([^\"]+)\"(?!\w)"),
                re.compile(r"«([^«»]+)»"))
# The patterns below, compiled once (they were built and looked up in re's cache on every call).
_VERB_AFTER = re.compile(r"\s*[,.]?\s*(?:" + _VERB + r")\s+")
_DASH_AFTER = re.compile(r"\s*[-–—]\s*")
_COMMA_AFTER = re.compile(r"\s*,?\s*")
_APPOSITIVE_AFTER = re.compile(r",[^,]{1,80},")
_ADVERB_VERB = re.compile(_ADVERB + r"\s+(?:" + _VERB + r")\b")
_VERB_WORD = re.compile(r"(?<![\w-])(?:" + _VERB + r")(?![\w-])")
_ADVERB_END = re.compile(_ADVERB + r"$")
_COLON_END = re.compile(r":\s*$")
_APPOSITIVE_END = re.compile(r",[^,]{1,80},$")
_CUE = re.compile(r"(?<![\w-])(?:" + _VERB + "|" + "|".join(SPEECH_NOUNS) + r")(?![\w-])")

# Characters of a word token (names._TOKEN): a token never spans a character outside this set.
_TOKEN_CHARS = frozenset(string.ascii_letters + string.digits + "&.-'’")
_TAIL = 48  # characters tokenised first before an offset (_name_ending_at looks at 4 tokens at most)


def _tokens_before(text: str, end: int) -> tuple[int, list[Token]]:
    """(offset, tokens) with ``tokens(text[offset:end])`` the last tokens (at least 4, or all) of
    ``tokens(text[window:end])``, window = max(0, end - WINDOW): the same tokens, found faster.

    Starting at a character outside every token (or at the window) changes no token after it."""
    window = max(0, end - WINDOW)
    start = max(window, end - _TAIL)
    while start > window and text[start - 1] in _TOKEN_CHARS:
        start -= 1
    found = tokens(text[start:end])
    if len(found) < 4 and start > window:
        start, found = window, tokens(text[window:end])
    return start, found


def quote_id(source: str, sentence: str, text: str) -> str:
    return "q-" + hashlib.sha1(f"{source}|{sentence}|{text}".encode()).hexdigest()[:10]


def _name_ending_at(text: str, end: int, gazetteer: tuple[EntityDef, ...]) -> tuple[int, int] | None:
    """The name just before ``end`` (spaces and a possessive allowed in between), as (start, end)."""
    run: list[Token] = []
    right = end
    base, found = _tokens_before(text, end)  # the loop below looks at 4 tokens at most
    for tok in reversed(found):
        tok_end = tok.end + base
        gap = text[tok_end + (2 if tok.possessive else 0):right]
        if gap.strip(" ") or not tok.capitalised or (tok.possessive and run):
            break
        tok = Token(tok.start + base, tok_end, tok.word, tok.possessive)
        run.insert(0, tok)
        right = tok.start
        if len(run) >= 4:
            break
    return _trim_name(text, run, gazetteer)


def _name_starting_at(text: str, start: int, gazetteer: tuple[EntityDef, ...]) -> tuple[int, int] | None:
    """The name right after ``start`` (after spaces), as (start, end)."""
    run: list[Token] = []
    for tok in tokens(text[start:start + WINDOW]):
        tok = Token(tok.start + start, tok.end + start, tok.word, tok.possessive)
        left = run[-1].end + (2 if run and run[-1].possessive else 0) if run else start
        if text[left:tok.start].strip(" ") or not tok.capitalised:
            break
        run.append(tok)
        if tok.possessive or len(run) >= 4:
            break
    return _trim_name(text, run, gazetteer)


def _trim_name(text: str, run: list[Token], gazetteer: tuple[EntityDef, ...]) -> tuple[int, int] | None:
    """Drop role nouns, function words and known organisations in front of a person's name."""
    if not run:
        return None
    spans = remembered_spans(text[run[0].start:run[-1].end], gazetteer)
    base = run[0].start
    kinds = gazetteer_tables(gazetteer).kinds
    for s, e, entity_id in spans:  # the whole run is one known name: keep it
        if base + s == run[0].start and base + e == run[-1].end:
            return run[0].start, run[-1].end
    while len(run) > 1:
        head = run[0]
        in_org = any(base + s <= head.start and head.end <= base + e < run[-1].end
                     and kinds.get(eid) not in ("place", "person") for s, e, eid in spans)
        if head.lower in STOPWORDS or head.lower in ROLE_WORDS or head.lower in GENERIC or in_org:
            run = run[1:]
            continue
        break
    if len(run) == 1:
        only = run[0]
        known = any(base + s == only.start and base + e == only.end for s, e, _ in spans)
        if not known or only.lower in STOPWORDS:
            return None
    return run[0].start, run[-1].end


def _speaker(text: str, start: int, end: int, gazetteer: tuple[EntityDef, ...]) -> tuple[str, str, str]:
    """(name, role, entity id) for the name at text[start:end]."""
    name = text[start:end]
    entity = ""
    for s, e, entity_id in remembered_spans(name, gazetteer):
        if s == 0 and e == len(name):
            entity = entity_id
    role, _ = role_before(text, start)
    if not role:
        role = role_after(text, end + (2 if text[end:end + 2] in ("'s", "’s") else 0))
    return name, role, entity


def _quote_spans(text: str) -> list[tuple[int, int, str]]:
    """(start of the opening mark, end of the closing mark, content), outermost quotes only."""
    spans: list[tuple[int, int, str]] = []
    for pattern in _QUOTE_SPANS:
        outer = sorted(spans)
        starts = [s for s, _, _ in outer]
        for match in pattern.finditer(text):
            index = bisect.bisect_right(starts, match.start()) - 1
            if index >= 0 and match.start() < outer[index][1]:
                continue  # nested inside a quote already found
            spans.append((match.start(), match.end(), match.group(1)))
    return sorted(spans)


def _attribution_after(text: str, end: int, gazetteer) -> tuple[int, int] | None:
    """“...,” said Jane Doe / “...,” Jane Doe said / “...” - Jane Doe, role."""
    rest = text[end:end + WINDOW]
    match = _VERB_AFTER.match(rest)
    if match:
        return _name_starting_at(text, end + match.end(), gazetteer)
    match = _DASH_AFTER.match(rest)
    if match:
        return _name_starting_at(text, end + match.end(), gazetteer)
    match = _COMMA_AFTER.match(rest)
    name = _name_starting_at(text, end + match.end(), gazetteer) if match else None
    if name:
        after = text[name[1]:]
        appositive = _APPOSITIVE_AFTER.match(after)
        tail = after[appositive.end():] if appositive else after
        if _ADVERB_VERB.match(tail):
            return name
    return None


def _attribution_before(text: str, start: int, gazetteer) -> tuple[int, int] | None:
    """Jane Doe said: “...” / Jane Doe recently stated at a hearing that ... “...” (same sentence)."""
    base = max(0, start - 2 * WINDOW)  # the verb is in the same sentence, close before the quote
    before = text[base:start]
    best = None
    for match in _VERB_WORD.finditer(before):
        best = match
    if best is not None:
        head = _strip_appositive(_ADVERB_END.sub("", before[:best.start()].rstrip()))
        name = _name_ending_at(text, base + len(head), gazetteer)
        if name:
            return name
    colon = _COLON_END.search(before)
    if colon:
        return _name_ending_at(text, base + colon.start(), gazetteer)
    return None


def _strip_appositive(head: str) -> str:
    """"Jane Doe, chief economist at X," -> "Jane Doe" (the role is read again later)."""
    appositive = _APPOSITIVE_END.search(head)
    if appositive and role_after(head, appositive.start()):
        return head[:appositive.start()]
    return head


def _lead_in(sentence: Sentence, gazetteer) -> tuple[int, int] | None:
    """A sentence ending in a colon that names who speaks: "Meta CTO Andrew Bosworth's warning resonates:"."""
    text = sentence.text.rstrip()
    if not text.endswith(":"):
        return None
    names = []
    for tok in tokens(text):
        found = _name_ending_at(text, tok.end, gazetteer)
        if found and found[1] == tok.end:
            names.append(found)
    if not names:
        return None
    cue = _CUE.search(text)
    if not cue:
        return None
    # the longest name ending nearest before the cue
    before_cue = [n for n in names if n[1] <= cue.start()] or names
    last_end = max(n[1] for n in before_cue)
    return min((n for n in before_cue if n[1] == last_end), key=lambda n: n[0])


def find_quotes(document: Document, gazetteer: tuple[EntityDef, ...]) -> list[Quote]:
    """Direct quotes with a speaker, then reported statements, in reading order."""
    quotes: list[Quote] = []
    sentences = list(document.sentences)
    direct_sentences: set[tuple[str, str]] = set()
    # Paragraph text, so a quote that the sentence splitter cut in two is still one quote.
    by_paragraph: dict[int, list[Sentence]] = {}
    for sentence in sentences:
        by_paragraph.setdefault(sentence.paragraph, []).append(sentence)
    previous_sentence: dict[str, Sentence] = {}
    for before, after in zip(sentences, sentences[1:]):
        previous_sentence[after.id] = before
    for paragraph in sorted(by_paragraph):
        members = by_paragraph[paragraph]
        text, offsets = "", []
        for sentence in members:
            if text:
                text += " "
            offsets.append((len(text), sentence))
            text += sentence.text
        previous: tuple[int, Quote] | None = None  # (end offset, quote) of the last quote here
        for start, end, content in _quote_spans(text):
            if previous is not None and content.strip()[:1].islower() and start - previous[0] < 80:
                # “First part,” she said, “and the rest.”: one quote, interrupted by its attribution
                last_end, quote = previous
                merged = f"{quote.text} {content.strip()}"
                quotes[quotes.index(quote)] = merged_quote = Quote(
                    quote_id(quote.source, quote.sentence, merged), quote.source, quote.sentence, merged,
                    quote.speaker, quote.role, quote.kind, quote.entity)
                previous = (end, merged_quote)
                continue
            if len(content.split()) < MIN_QUOTE_WORDS:
                continue
            home = [s for off, s in offsets if off <= start][-1]
            home_start = [off for off, s in offsets if s is home][0]
            span = _attribution_after(text, end, gazetteer)
            where = text
            if span is None:
                span = _attribution_before(text[home_start:], start - home_start, gazetteer)
                where = text[home_start:]
            if span is None and not text[home_start:start].strip(" \t-–—"):
                lead = previous_sentence.get(home.id)
                if lead is not None:
                    span = _lead_in(lead, gazetteer)
                    where = lead.text
            if span is None:
                continue
            name, role, entity = _speaker(where, span[0], span[1], gazetteer)
            body = content.strip()
            quotes.append(Quote(quote_id(document.id, home.id, body), document.id, home.id, body,
                                name, role, "direct", entity))
            direct_sentences.add((home.id, entity or name))
            previous = (end, quotes[-1])
    # “Done,” she said: the comma belongs to the sentence around the quote, not to the quote
    quotes = [Quote(quote_id(q.source, q.sentence, q.text.rstrip(",")), q.source, q.sentence, q.text.rstrip(","),
                    q.speaker, q.role, q.kind, q.entity) for q in quotes]
    quotes += find_paraphrases(document, gazetteer, direct_sentences)
    return quotes


_PARAPHRASE = re.compile(r"(?<![\w-])(?:" + _VERB + r")\s+(?:that\s+|:\s*)", re.I)
_AS_NOTED = re.compile(r"^As\s+(.{2,60}?)\s+(?:" + _VERB + r"),\s+", re.I)
_PRONOUN = re.compile(r"^(He|She)\s+(?:" + _VERB + r")\s+(?:that\s+|:\s*)")


def find_paraphrases(document: Document, gazetteer: tuple[EntityDef, ...],
                     skip: set[tuple[str, str]] = frozenset()) -> list[Quote]:
    """Reported statements: "NAME (role) points out that CLAUSE", "As NAME noted, CLAUSE",
    and "He said that ..." right after a sentence that names a person."""
    found: list[Quote] = []
    sentences = document.sentences
    # The last person named before a sentence matters only to a sentence that starts "He said that"
    # (rare), so it is looked for then, backwards from that sentence: each sentence read at most once.
    last_person: tuple[str, str, str] | None = None  # the last person named in sentences[:scanned]
    scanned = 0
    for index, sentence in enumerate(sentences):
        text = sentence.text
        speaker = clause = None
        pronoun = _PRONOUN.match(text)
        as_noted = _AS_NOTED.match(text)
        if pronoun:
            for before in range(index - 1, scanned - 1, -1):
                person = _last_person(sentences[before].text, gazetteer)
                if person:
                    last_person = person
                    break
            scanned = index
        if pronoun and last_person is not None:
            speaker, clause = last_person, text[pronoun.end():]
        elif as_noted:
            span = _name_ending_at(text, as_noted.end(1), gazetteer)
            if span:
                speaker, clause = _speaker(text, *span, gazetteer), text[as_noted.end():]
        else:
            for count, match in enumerate(_PARAPHRASE.finditer(text)):
                if count >= MAX_VERBS_PER_SENTENCE:
                    break
                base = max(0, match.start() - WINDOW)
                head = _strip_appositive(_ADVERB_END.sub("", text[base:match.start()].rstrip()))
                span = _name_ending_at(text, base + len(head), gazetteer)
                if span:
                    speaker, clause = _speaker(text, *span, gazetteer), text[match.end():]
                    break
        if speaker and clause and len(clause.split()) >= MIN_QUOTE_WORDS \
                and (sentence.id, speaker[2] or speaker[0]) not in skip:
            body = clause.strip().rstrip(".")
            name, role, entity = speaker
            found.append(Quote(quote_id(document.id, sentence.id, body), document.id, sentence.id, body,
                               name, role, "paraphrase", entity))
    return found


def _last_person(text: str, gazetteer: tuple[EntityDef, ...]) -> tuple[str, str, str] | None:
    """The last person named in a sentence (a gazetteer person or a name with a person's role)."""
    kinds = gazetteer_tables(gazetteer).kinds
    words = tokens(text)
    looked = 0
    for index in range(len(words) - 1, -1, -1):  # from the end: the last person named
        tok = words[index]
        following = words[index + 1] if index + 1 < len(words) else None
        if not tok.capitalised or (following is not None and following.capitalised and not tok.possessive):
            continue  # only the last word of a run of capitalised words can end a name
        looked += 1
        if looked > 12:
            break
        span = _name_ending_at(text, tok.end, gazetteer)
        if not span or span[1] != tok.end or span[1] - span[0] < 3:
            continue
        name, role, entity = _speaker(text, *span, gazetteer)
        if (entity and kinds.get(entity) == "person") or \
                (not entity and len(name.split()) >= 2 and candidate_kind(name, [role] if role else []) == "person"):
            return name, role, entity
    return None


def quote_records(briefing, sentence_themes: dict) -> list[dict]:
    """Every quote and reported statement as data, in source and reading order."""
    from . import urls
    order = {(d.id, s.id): n for d in briefing.documents for n, s in enumerate(d.sentences)}
    rows = []
    for result in briefing.results:
        for quote in result.quotes:
            rows.append({
                "id": quote.id, "kind": quote.kind, "text": quote.text, "speaker": quote.speaker,
                "role": quote.role, "entity": quote.entity or None, "source": quote.source,
                "sentence": quote.sentence, "page": urls.sentence_link(quote.source, quote.sentence),
                "themes": sorted(sentence_themes.get((quote.source, quote.sentence), ())),
            })
    rows.sort(key=lambda r: (r["source"], order.get((r["source"], r["sentence"]), 0), r["kind"], r["id"]))
    return rows
