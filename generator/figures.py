"""Stage 3a: the figures a source states (percentages, money, counts with units).

``extract_figures`` is the one entry point; it works sentence by sentence so that every
figure links to the sentence that states it.
"""

from __future__ import annotations

import hashlib
import re

from .models import Document, Figure

_SCALES = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9,
    "b": 1e9, "trillion": 1e12, "tn": 1e12, "t": 1e12,
}
_CURRENCIES = {"$": "USD", "us$": "USD", "usd": "USD", "€": "EUR", "eur": "EUR", "£": "GBP",
               "gbp": "GBP", "¥": "CNY", "rmb": "CNY", "cny": "CNY", "yuan": "CNY"}
_BOUND_WORDS = {
    "more than": ">", "over": ">", "above": ">", "exceeding": ">", "at least": ">=",
    "less than": "<", "under": "<", "below": "<", "fewer than": "<", "at most": "<=", "up to": "<=",
    "about": "~", "around": "~", "approximately": "~", "roughly": "~", "nearly": "~", "almost": "~",
    "some": "~",
}

_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_BOUND = r"(?:(?P<bound_word>" + "|".join(sorted(map(re.escape, _BOUND_WORDS), key=len, reverse=True)) + r")\s+)?"
_SYMBOL_BOUND = r"(?P<bound_sym>[<>]=?|~)?"
_SCALE = r"(?:\s?(?P<scale>thousand|million|billion|trillion|mn|bn|tn|[kKmMbBtT])\b)?"

_FIGURE = re.compile(
    _BOUND + _SYMBOL_BOUND
    + r"(?:(?P<currency>US\$|\$|€|£|¥|(?:USD|EUR|GBP|CNY|RMB)\s?))?"
    + r"(?P<number>" + _NUMBER + r")"
    + r"(?P<plus>\+)?"
    + _SCALE
    + r"(?P<plus2>\+)?"
    + r"(?:\s?(?P<percent>%|percent\b|per cent\b))?",
    re.I,
)
# the noun a count counts: up to two words after the number, not a function word
_COUNTED = re.compile(r"\s+(?P<noun>(?:[a-z][a-z-]+\s){0,1}[a-z][a-z-]+)")
_STOP_NOUNS = {"of", "the", "a", "an", "and", "or", "to", "in", "on", "at", "for", "with", "by",
               "is", "are", "was", "were", "has", "have", "that", "this", "from", "as", "its", "their"}


def _figure_id(source_id: str, sentence_text: str, text: str, occurrence: int) -> str:
    key = f"{source_id}\x00{' '.join(sentence_text.split())}\x00{text}\x00{occurrence}"
    return "f-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


def _is_not_a_figure(sentence: str, match: re.Match) -> bool:
    """Numbers that are names, years, dates, list markers or section numbers."""
    start, end = match.start("number"), match.end("number")
    before = sentence[max(0, start - 1):start]
    after = sentence[end:end + 1]
    number = match.group("number")
    if before.isalpha() or before in "-–." or (after in "-–" and not match.group("percent")):
        return True  # GPT-4.5, o3-mini, ERNIE 4.5-Turbo, H800, 2017–2024
    plain = not (match.group("currency") or match.group("percent") or match.group("scale")
                 or match.group("plus") or match.group("plus2") or match.group("bound_sym"))
    if plain and re.fullmatch(r"(1[89]|20)\d\d", number):
        return True  # a year
    prev_word = re.search(r"([A-Za-z]+) $", sentence[:start])
    if plain and not match.group("bound_word") and prev_word and prev_word.group(1)[0].isupper():
        return True  # Llama 3, Level 5, Windows 11: a name with a number
    if plain and start == 0 and sentence[end:end + 1] in ".)":
        return True  # list marker / section number
    if plain and re.match(r"\s?(?:[.:]\d|\s?(?:am|pm)\b)", sentence[end:end + 4], re.I):
        return True  # time of day
    if plain and re.match(r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\s$",
                          sentence[max(0, start - 10):start].split(",")[-1].lstrip(), re.I):
        return True  # July 9
    return False


def _measures(sentence: str, start: int, end: int) -> str:
    """A short phrase for what a figure measures: the words just around it."""
    after = re.split(r"[,;:.()—–]", sentence[end:], maxsplit=1)[0].split()[:6]
    before = re.split(r"[,;:()—–]", sentence[:start])[-1].split()[-5:]
    phrase = " ".join(after) if len(after) >= 2 else " ".join(before + after)
    return phrase.strip(" .,'\"“”").lower()


def extract_figures(document: Document) -> list[Figure]:
    """Every figure stated in the document's kept sentences, in reading order."""
    figures: list[Figure] = []
    for sentence in document.sentences:
        seen: dict[str, int] = {}
        for match in _FIGURE.finditer(sentence.text):
            if _is_not_a_figure(sentence.text, match):
                continue
            number = float(match.group("number").replace(",", ""))
            scale_word = (match.group("scale") or "").lower()
            currency = (match.group("currency") or "").strip().lower()
            percent = match.group("percent")
            if scale_word in ("m", "b", "t", "k") and not currency:
                scale_word = ""  # "5 m" is metres, not millions, without a currency
            value = number * _SCALES.get(scale_word, 1)
            end = match.end()
            if scale_word == "" and match.group("scale"):
                end = match.end("number") + (1 if match.group("plus") else 0)
            if percent:
                unit = "percent"
            elif currency:
                unit = _CURRENCIES.get(currency, currency.upper())
            else:
                counted = _COUNTED.match(sentence.text, end)
                noun = counted.group("noun").split()[0] if counted else ""
                if not noun or noun.lower() in _STOP_NOUNS:
                    continue  # a bare number with nothing counted: not a stated figure
                unit = noun.lower()
            bound = "="
            if match.group("bound_word"):
                bound = _BOUND_WORDS[match.group("bound_word").lower()]
            elif match.group("bound_sym"):
                bound = match.group("bound_sym")
            elif match.group("plus") or match.group("plus2"):
                bound = ">="
            text = sentence.text[match.start():end].strip()
            if match.group("bound_word"):
                text = sentence.text[match.start("bound_word"):end].strip()
            start = sentence.text.index(text, match.start())
            occurrence = seen.get(text, 0)
            seen[text] = occurrence + 1
            year = re.search(r"\b(?:in|by|since|during)\s+((?:19|20)\d\d)\b", sentence.text)
            figures.append(Figure(
                id=_figure_id(document.id, sentence.text, text, occurrence),
                source=document.id,
                sentence=sentence.id,
                text=text,
                start=start,
                value=round(value, 6),
                unit=unit,
                bound=bound,
                measures=_measures(sentence.text, start, start + len(text)),
                year=int(year.group(1)) if year else None,
            ))
    return figures
