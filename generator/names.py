"""Shared word-level helpers for finding names and roles in a sentence, without an NER model.

Entities, candidate names and quote speakers all need the same small pieces: split a sentence
into word tokens with offsets, tell capitalised words from ordinary ones, and read the role
phrase in front of a name ("Meta CTO", "UC Berkeley AI policy researcher").
"""

from __future__ import annotations

import re
from typing import NamedTuple

_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9&.\-'’]*")
_ABBREVIATION = re.compile(r"^(?:[A-Za-z]\.){2,}$")

# Function words that may start a sentence in capitals and are never part of a name.
STOPWORDS = frozenset("""a an the and or but if as at by for from in into of on onto to with without within
this that these those there here it its it's they them their we our you your he she his her i my me
is are was were be been being has have had do does did not no yes so than then when where while which who
whom whose what why how all any both each few more most other some such only own same too very can will
just should now also however despite after before although though because since until unless yet
about above across against along among around behind below beneath beside between beyond during
except inside near off out outside over past per through throughout toward towards under upon via
one two three four five six seven eight nine ten let let's meanwhile moreover additionally
instead even still already""".split())

# Capitalised words that are common vocabulary in this kind of text, not names on their own.
GENERIC = frozenset("""ai a.i. api apis llm llms gpu gpus cpu flops chinese american british japanese western
eastern european asian african indian korean french german russian english mainland global national
international january february march april may june july august september october november december
open closed source monday tuesday wednesday thursday friday saturday sunday inc ltd co corp plc""".split())

# Nouns that name a role; in front of a name they make it a name ("researcher Ritwik Gupta").
PERSON_ROLES = frozenset("""ceo cto cfo coo cso president vice-president chairman chairwoman chair founder
co-founder cofounder director head chief minister secretary spokesperson spokesman spokeswoman researcher
analyst professor scientist engineer economist investor executive officer editor reporter journalist
senator governor commissioner ambassador adviser advisor partner manager lead leader author
representative official expert veteran insider commentator""".split())
ORG_ROLES = frozenset("""startup start-up company firm platform bank lab laboratory maker giant provider
agency fund outlet newspaper broadcaster regulator university institute developer""".split())
ROLE_WORDS = PERSON_ROLES | ORG_ROLES

# Country and bloc codes that English news puts in front of a name as an adjective ("the US Wall
# Street Journal", "UK Financial Times", "EU Digital Markets Act"); places the gazetteer knows by
# an all-capital code (an editor's "KSA" for Saudi Arabia) count too. Organisations whose code is
# part of their name ("UN", "BBC", "IBM") are deliberately not here.
COUNTRY_CODES = frozenset("us usa uk eu uae prc rok dprk".split())

# Nouns that label a numbered part of something rather than name it: "MATH Level 5",
# "Phase 3 trials", "Table 2", "Round 4". A capitalised phrase ending in one of these right before
# a number is a label, not a name.
LABEL_NOUNS = frozenset("""level phase stage tier grade round step part table figure fig section
chapter article clause item class category type version vol volume issue episode season day week
quarter unit module lesson task exercise question problem track lane gate terminal floor room page
line row column appendix annex exhibit note rule option scenario wave batch cohort division league
zone priority""".split())

APOSTROPHES = "'’"
WINDOW = 160  # characters looked at before a name for its role or its first words


class Token(NamedTuple):
    """A word of a sentence (a named tuple: tens of them are made per sentence, issue 8)."""

    start: int
    end: int
    word: str  # without a trailing full stop or possessive
    possessive: bool = False

    @property
    def capitalised(self) -> bool:
        return self.word[:1].isupper()

    @property
    def lower(self) -> str:
        return self.word.lower()


def tokens(text: str) -> list[Token]:
    """Word tokens with their offsets; "Alibaba's" is the token "Alibaba", marked possessive."""
    found: list[Token] = []
    for match in _TOKEN.finditer(text):
        word, start = match.group(), match.start()
        possessive = False
        while word and word[-1] in ".-" + APOSTROPHES and not _ABBREVIATION.match(word):
            word = word[:-1]
        if len(word) > 2 and word[-2] in APOSTROPHES and word[-1] in "sS":
            word, possessive = word[:-2], True
        if word:
            found.append(Token(start, start + len(word), word, possessive))
    return found


def is_clause_gap(text: str, left: Token, right: Token) -> bool:
    """True when something other than plain spaces separates two tokens (punctuation, a line)."""
    gap = text[left.end + (2 if left.possessive else 0):right.start]
    return left.possessive or gap.strip(" ") != ""


def role_before(text: str, start: int) -> tuple[str, str]:
    """The role phrase just before offset ``start`` ("Meta CTO", "investment bank") and its kind
    ("person" or "organisation"), or ("", "") when the words before it name no role."""
    previous = re.search(r"([\w'’.-]+)\s*$", text[max(0, start - 40):start])
    if previous is None:
        return "", ""
    word = previous.group(1).rstrip(".")
    if word.lower() not in ROLE_WORDS and not re.search(r"['’]s$", word):
        return "", ""  # the word before is neither a role noun nor a possessive: no role
    words: list[Token] = []
    right = start
    window = max(0, start - WINDOW)  # a role is a few words: never rescan a long text
    for tok in reversed([Token(t.start + window, t.end + window, t.word, t.possessive)
                         for t in tokens(text[window:start])]):
        gap = text[tok.end + (2 if tok.possessive else 0):right]
        if gap.strip(" ") or (not tok.capitalised and tok.lower in STOPWORDS):
            break
        words.insert(0, tok)
        right = tok.start
        if len(words) >= 6:
            break
    while words and words[0].lower in STOPWORDS:
        words.pop(0)
    if not words:
        return "", ""
    last = words[-1]
    if last.lower in ROLE_WORDS and not last.possessive:
        kind = "person" if last.lower in PERSON_ROLES else "organisation"
        return text[words[0].start:last.end], kind
    if last.possessive and last.capitalised:
        return last.word, "person"  # "Microsoft's Brad Smith": the affiliation is the role
    return "", ""


def role_after(text: str, end: int) -> str:
    """An appositive role after a name: "Oleg Zankov, co-founder of Latenode, said" -> the middle part."""
    match = re.match(r",\s+((?:the |a |an )?([\w-]+)\b[^,;:\"“”]{0,80}?)(?:,|[.;:]?\s*$)", text[end:end + WINDOW])
    if match and match.group(2).lower() in ROLE_WORDS:
        return match.group(1).strip()
    return ""
