"""Stage 3b: which sentences carry which theme of the editors' taxonomy.

Assignment is per sentence, from the cue phrases editors write in ``mkdocs.yml``, so a
theme page can quote exactly the sentences that carry it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from .models import Document, PhraseCount, ThemeDef, ThemeMatch
from .names import GENERIC, STOPWORDS


@lru_cache(maxsize=4096)
def cue_pattern(cue: str) -> re.Pattern:
    """A cue as a whole-word, case-insensitive pattern; hyphens and spaces interchangeable,
    plurals accepted ("export control" matches "export controls" and "Export-Control")."""
    return re.compile(r"(?<!\w)" + _cue_body(cue) + r"(?:s|es)?(?!\w)", re.I)


def _cue_body(cue: str) -> str:
    return r"[\s-]+".join(re.escape(w) for w in re.split(r"[\s-]+", cue.strip()) if w)


def assign_themes(document: Document, themes: tuple[ThemeDef, ...]) -> list[ThemeMatch]:
    """One match per (theme, sentence): the first cue of the theme found in the sentence."""
    matches: list[ThemeMatch] = []
    any_cue, per_theme = _theme_patterns(themes)
    if any_cue is None:
        return matches
    for sentence in document.sentences:
        text = sentence.text
        if not any_cue.search(text):
            continue  # no cue of any theme (most sentences of a long source): one search, not one per cue
        for theme, theme_cues, cues in per_theme:
            if not theme_cues.search(text):
                continue
            for cue, pattern in cues:  # some cue of the theme is here: the first one in the theme's list
                if pattern.search(text):
                    matches.append(ThemeMatch(theme.id, document.id, sentence.id, cue))
                    break
    return matches


@lru_cache(maxsize=64)
def _theme_patterns(themes: tuple[ThemeDef, ...]) -> tuple[re.Pattern | None, tuple]:
    """(every cue of every theme, ((theme, its cues in one alternation, ((cue, cue_pattern), ...)), ...)).

    An alternation finds a match exactly when one of its cues' own patterns would (the regex engine
    tries every branch at every position, overlapping cues included), so it only says whether to
    look further; which cue comes first is still decided one cue at a time, in the theme's order."""
    per_theme = tuple((theme, _cues_pattern(theme.cues), tuple((cue, cue_pattern(cue)) for cue in theme.cues))
                      for theme in themes if theme.cues)
    return _cues_pattern(tuple(cue for theme in themes for cue in theme.cues)), per_theme


# --- Uncategorised: what the taxonomy misses, reported to editors as candidates for new themes ---

# Words that break a noun phrase: besides function words, common verbs, adverbs and vague adjectives.
_BREAKERS = frozenset("""make makes made making use uses used using become becomes became becoming remain remains
remained show shows showed shown say says said see seen seeing get gets got go goes going went come comes came
take takes took give gives gave keep keeps kept find finds found know known like including include includes
included such rather many much more less most least new old high higher low lower major key main significant
several certain various other another different same own whose whether either neither every across really
quite just simply far well often always never sometimes already still even actually perhaps might may must
could would should shall will can cannot do does did done doing be been being am having has had have lead leads
led allow allows allowed help helps helped create creates created creating continue continues continued
begin began begun start started starting mean means meant need needs needed want wants wanted seem seems seemed
large small big great strong top best better good bad yet thus hence therefore whereas versus vs etc per via around among""".split())
# Nouns too vague to name a theme on their own ("models", "companies", "market").
_VAGUE = frozenset("""model company system market technology world industry approach challenge development
thing way people year time player firm product tool country nation sector landscape dynamic area field part
number lot term result example reason factor question issue report data source""".split())


def _stem(word: str) -> str:
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


# Common adjectives in -ary (most -ary words are nouns: library, summary, boundary).
_ARY_ADJECTIVES = frozenset("""proprietary necessary primary secondary contrary temporary voluntary ordinary
arbitrary preliminary budgetary monetary customary exemplary extraordinary hereditary imaginary
interdisciplinary revolutionary sanitary solitary stationary unnecessary visionary""".split())


def _noun_like(word: str) -> bool:
    """Could ``word`` end a noun phrase? Past-tense verbs and adjectives by their form cannot."""
    word = word.lower()
    if len(word) > 4 and word.endswith("ed") and not word.endswith("eed"):
        return False  # moved, released, reported (not speed, seed)
    return not (word.endswith(("ous", "ive", "ful", "able", "ible")) or word in _ARY_ADJECTIVES)


_PIECE = re.compile(r"[A-Za-z][A-Za-z'’-]*|[^\sA-Za-z]+")


def _breaks_phrase(word: str) -> bool:
    lower = word.lower()
    return lower.replace("’", "'") in STOPWORDS or lower in _BREAKERS or (lower.endswith("ly") and len(word) > 4)


class _Traits(NamedTuple):
    """What ``_phrases`` asks of a word."""

    breaks: bool  # ends a phrase (``_breaks_phrase``)
    stem: str
    dull: bool  # too generic or vague to make a phrase of dull words only
    ends_noun: bool  # can end a noun phrase (``_noun_like``)
    alone: bool  # can be a phrase by itself: not short, not an adjective or verb form


@lru_cache(maxsize=1 << 16)
def _traits(word: str) -> _Traits:
    """A word's traits, worked out once per word, not once per occurrence: words recur, and these
    tests were a tenth of the per-source work (issue 8)."""
    stem = _stem(word)
    return _Traits(_breaks_phrase(word), stem, word.lower() in GENERIC or stem in _VAGUE, _noun_like(word),
                   not (len(word) < 5 or word.lower().endswith(("ing", "ive", "ous", "ful", "able", "ible"))))


def _phrases(text: str, max_words: int = 3) -> list[tuple[str, str]]:
    """(variant key, surface form) for every noun-phrase-like n-gram: runs of content words,
    hyphenated words split so "Open-Source" and "open source" share one key."""
    runs: list[tuple[list[str], list[_Traits]]] = []
    words: list[str] = []
    traits: list[_Traits] = []
    for piece in _PIECE.findall(text):
        parts = ([w for w in piece.split("-") if w] if "-" in piece else [piece]) if piece[0].isalpha() else []
        found_traits = [_traits(w) for w in parts]
        if not parts or any(t.breaks for t in found_traits):
            if words:
                runs.append((words, traits))
            words, traits = [], []
            continue
        words += parts
        traits += found_traits
    if words:
        runs.append((words, traits))
    found = []
    for run, traits in runs:
        stems = [t.stem for t in traits]
        dull = [t.dull for t in traits]
        for n in range(1, max_words + 1):
            for i in range(len(run) - n + 1):
                if all(dull[i:i + n]):
                    continue
                if n == 1 and not traits[i].alone:
                    continue  # short words and adjective/verb forms are not themes on their own
                if not traits[i + n - 1].ends_noun:
                    continue  # a noun phrase ends in a noun: not "ferry moved", not "proprietary"
                found.append((" ".join(stems[i:i + n]), " ".join(run[i:i + n])))
    return found


def document_phrases(document: Document, themes: tuple[ThemeDef, ...]) -> tuple[PhraseCount, ...]:
    """The noun phrases of one source's running text that no cue covers, counted (headings skipped).

    Per source, so it runs in the parallel map and is cached; ``rank_theme_candidates`` adds up."""
    from .entities import looks_like_heading
    counts: dict[tuple[str, str], int] = {}
    cues = _cues_pattern(tuple(cue for theme in themes for cue in theme.cues))
    for sentence in document.sentences:
        kind = document.paragraphs[sentence.paragraph].kind if sentence.paragraph < len(document.paragraphs) else "text"
        if kind == "heading" or looks_like_heading(sentence.text):
            continue
        text = cues.sub(" . ", sentence.text) if cues else sentence.text  # what a cue covers is categorised
        for key, surface in _phrases(text):
            counts[key, surface.lower()] = counts.get((key, surface.lower()), 0) + 1
    return tuple((key, surface, n) for (key, surface), n in sorted(counts.items()))


@lru_cache(maxsize=64)
def _cues_pattern(cues: tuple[str, ...]) -> re.Pattern | None:
    """Every cue in one alternation (longest first, as ``cue_pattern`` would match each one)."""
    if not cues:
        return None
    bodies = sorted({_cue_body(cue) for cue in cues}, key=lambda b: (-len(b), b))
    return re.compile(r"(?<!\w)(?:" + "|".join(bodies) + r")(?:s|es)?(?!\w)", re.I)


def theme_candidates(documents, themes: tuple[ThemeDef, ...], gazetteer=(), limit: int = 8,
                     min_sources: int = 2) -> list[tuple[str, int, int]]:
    """Salient phrases no theme covers, as (phrase, sources, occurrences), best first."""
    return rank_theme_candidates([document_phrases(d, themes) for d in documents], themes, gazetteer,
                                 limit, min_sources)


def rank_theme_candidates(per_source: list[tuple[PhraseCount, ...]], themes: tuple[ThemeDef, ...], gazetteer=(),
                          limit: int = 8, min_sources: int = 2) -> list[tuple[str, int, int]]:
    """The phrases of ``document_phrases`` across sources, as (phrase, sources, occurrences), best first.

    Ranked by document frequency x term frequency, variants merged, entity names and phrases
    any cue already matches left out (checked only for the few phrases that rank high enough)."""
    from .entities import gazetteer_spans
    df: dict[str, int] = {}
    tf: dict[str, int] = {}
    surfaces: dict[str, dict[str, int]] = {}
    for phrases in per_source:
        for key in {key for key, _, _ in phrases}:
            df[key] = df.get(key, 0) + 1
        for key, surface, count in phrases:
            tf[key] = tf.get(key, 0) + count
            forms = surfaces.setdefault(key, {})
            forms[surface] = forms.get(surface, 0) + count
    ranked = []
    for key, n_sources in df.items():
        if n_sources < min_sources:
            continue
        n_words = key.count(" ") + 1
        score = n_sources * tf[key] * (1 + 0.5 * (n_words - 1))
        surface = min(surfaces[key], key=lambda s: (-surfaces[key][s], s))
        ranked.append((-score, -n_words, surface, key, n_sources))
    ranked.sort()
    cues = _cues_pattern(tuple(cue for theme in themes for cue in theme.cues))
    kept: list[tuple[str, int, int]] = []
    kept_keys: list[tuple[str, int]] = []
    for _, _, surface, key, n_sources in ranked:
        if cues and cues.search(surface):
            continue
        if gazetteer and any(e - s >= len(surface) - 2 for s, e, _ in gazetteer_spans(surface, gazetteer)):
            continue
        if any(f" {key} " in f" {k} " and d == n_sources for k, d in kept_keys) or \
                any(f" {k} " in f" {key} " and d == n_sources for k, d in kept_keys):
            continue  # a part or an extension of a phrase already listed, in the same sources
        kept.append((surface, n_sources, tf[key]))
        kept_keys.append((key, n_sources))
        if len(kept) >= limit:
            break
    return kept


def uncategorised_problems(results, candidates: list[tuple[str, int, int]], config_path: str = "mkdocs.yml"):
    """Warnings for editors: sources no theme matches, and phrases no theme covers."""
    from .models import Problem
    problems = []
    for result in results:
        if not result.themes:
            problems.append(Problem("warning", result.document.path, "matches no theme of the taxonomy",
                                    code="no-theme"))
    for phrase, n_sources, count in candidates:
        problems.append(Problem("warning", config_path,
                                f"theme candidate: {phrase!r} ({n_sources} sources, {count} mentions) is covered by no theme",
                                code="theme-candidate"))
    return problems
