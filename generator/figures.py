"""Stage 3a: the figures a source states (percentages, money, counts, multiples, fractions).

``extract_figures`` is the one entry point; it works sentence by sentence so that every
figure links to the sentence that states it. A figure is found in three steps:

1. candidates: a number as written (``13.5``, ``6,000``, ``10²³``, ``1e23``, ``three million``,
   ``one-third``, ``one in five``) with what is glued to it (currency, scale, ``%``, ``+``, ``x``,
   ``times``) and the qualifier in front (``more than``, ``<``, ``about``, ``exceeded``);
2. rejection of numbers that are names, labels, years, dates, times, codes or list markers
   (``GPT-4.5``, ``Llama 3``, ``Level 5``, ``top 10``, ``2024``, ``July 9``, ``9:30``, ``1.``);
3. a unit: percent, a currency code, ``times``, or the noun the number counts (a count with no
   counted noun is not a stated figure, unless the sentence stated one for a count just before:
   "910 million downloads, while X has 125 million").

The annotated evaluation set in ``bench/figures_eval.jsonl`` measures it (``python bench/figures_eval.py``).
"""

from __future__ import annotations

import hashlib
import math
import re

from .models import Document, Figure

# --- vocabulary -----------------------------------------------------------------------------

_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
           "k": 1e3, "m": 1e6, "mn": 1e6, "b": 1e9, "bn": 1e9, "t": 1e12, "tn": 1e12}
_CURRENCY_SIGNS = {"us$": "USD", "a$": "AUD", "c$": "CAD", "hk$": "HKD", "s$": "SGD", "nz$": "NZD",
                   "r$": "BRL", "$": "USD", "€": "EUR", "£": "GBP", "¥": "CNY", "₹": "INR", "₩": "KRW"}
_CURRENCY_CODES = ("USD", "EUR", "GBP", "CNY", "RMB", "JPY", "INR", "CHF", "AUD", "CAD", "HKD", "KRW")
_CURRENCY_WORDS = {"dollars": "USD", "dollar": "USD", "euros": "EUR", "euro": "EUR", "pounds": "GBP",
                   "yuan": "CNY", "renminbi": "CNY", "yen": "JPY", "rupees": "INR"}
# qualifier in front of a number -> bound; verbs of passing a threshold are lower bounds too
_BOUND_WORDS = {
    "more than": ">", "over": ">", "above": ">", "exceeding": ">", "exceeded": ">", "exceeds": ">",
    "surpassed": ">", "surpassing": ">", "topped": ">", "tops": ">", "greater than": ">",
    "in excess of": ">", "at least": ">=", "no less than": ">=", "no fewer than": ">=",
    "less than": "<", "fewer than": "<", "under": "<", "below": "<", "at most": "<=",
    "no more than": "<=", "up to": "<=", "as much as": "<=", "as many as": "<=",
    "about": "~", "around": "~", "approximately": "~", "roughly": "~", "nearly": "~", "almost": "~",
    "some": "~", "close to": "~", "approx.": "~",
}
_SYMBOL_BOUNDS = {">": ">", ">=": ">=", "≥": ">=", "<": "<", "<=": "<=", "≤": "<=", "~": "~", "≈": "~"}
_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
                 "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
                 "ninety": 90, "a hundred": 100, "hundreds of": 100, "a": 1, "an": 1}
_DENOMINATORS = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4,
                 "fifth": 5, "fifths": 5, "sixth": 6, "tenth": 10, "tenths": 10}
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
# words before a number that make it a label or a rank, not a quantity ("top 10", "page 12")
_LABEL_WORDS = {"top", "no", "no.", "number", "nr", "#", "page", "pages", "grade", "level", "step", "phase",
                "stage", "round", "room", "gate", "platform", "item", "chapter", "section", "figure", "fig",
                "table", "version", "v", "model", "series", "type", "class", "category", "tier", "part",
                "vol", "volume", "issue", "exhibit", "rank", "ranked", "year", "route", "line", "flight",
                "article", "episode", "season", "grant", "code", "id", "ward", "district", "unit"}
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec")
# function words: never a counted noun, and the end of a noun phrase
_STOP = {"of", "the", "a", "an", "and", "or", "to", "in", "on", "at", "for", "with", "by", "is", "are",
         "was", "were", "has", "have", "had", "that", "this", "from", "as", "its", "their", "than", "into",
         "per", "each", "a", "while", "but", "which", "who", "when", "since", "after", "before", "across",
         "over", "under", "between", "against", "among", "during", "through", "will", "would", "could",
         "can", "be", "been", "it", "they", "we", "he", "she", "so", "more", "less", "or", "not", "no",
         "all", "both", "only", "just", "also", "still", "then", "there", "these", "those", "such",
         "his", "her", "our", "your", "my", "about", "up", "down", "out", "off", "via", "if", "yet"}
_IRREGULAR_PLURALS = {"people", "children", "men", "women", "staff", "personnel", "data", "cattle",
                      "police", "feet", "teeth", "mice", "geese", "media", "aircraft", "livestock",
                      "sheep", "fish", "deer", "offspring", "crew", "headcount"}
_MEASURE_UNITS = {"km", "kg", "mg", "g", "cm", "mm", "m", "mph", "kph", "km/h", "mw", "gw", "kw", "tw",
                  "kwh", "mwh", "gwh", "twh", "gb", "tb", "mb", "pb", "ghz", "mhz", "hz", "ha", "lb",
                  "lbs", "oz", "ft", "sq", "mpg", "bpd", "°c", "°f"}

# --- patterns -------------------------------------------------------------------------------

_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_SCI = r"\d+(?:\.\d+)?[eE][+-]?\d+|10\^-?\d+|10[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+|\d+(?:\.\d+)?\s?[×x]\s?10(?:\^-?\d+|[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+)"
_WORDNUM = r"|".join(sorted((re.escape(w) for w in _WORD_NUMBERS if w not in ("a", "an")), key=len, reverse=True))
_QUALIFIER = (r"(?:(?P<bound_word>" + "|".join(sorted(map(re.escape, _BOUND_WORDS), key=len, reverse=True))
              + r")\s+)?(?P<bound_sym>>=|<=|[<>~≈≥≤])?\s?")
_CURRENCY = (r"(?P<currency>(?:US|A|C|HK|S|NZ|R)\$|[$€£¥₹₩]|(?:" + "|".join(_CURRENCY_CODES) + r")\s?)?")
_NUMERIC = re.compile(
    r"(?<![\w.,/:#@-])" + _QUALIFIER + _CURRENCY
    + r"(?P<number>" + _SCI + r"|" + _DIGITS + r"|(?P<wordnum>" + _WORDNUM + r")(?=\s(?:thousand|million|billion|trillion)\b))"
    + r"(?:\s?(?:–|—|-|to)\s?(?P=currency)?(?P<number2>" + _DIGITS + r")(?=\s?(?:%|percent|per cent|thousand|million|billion|trillion|bn|mn|[kKmMbB]\b)))?"
    + r"(?P<plus>\+)?"
    + r"(?:\s?(?P<scale>thousand|million|billion|trillion)\b|\s?(?P<scale_abbr>bn|mn|tn)(?![A-Za-z0-9])"
    + r"|(?P<scale_letter>[kKmMbBtT])(?![A-Za-z0-9]))?"
    + r"(?P<plus2>\+)?"
    + r"(?:\s?(?P<percent>%|percent\b|per\scent\b)|\s(?P<points>percentage points?|basis points?|bps)\b"
    + r"|\s(?P<times>times)\b|(?P<x>[x×])(?![A-Za-z0-9]))?"
    + r"(?:\s(?P<currency_word>" + "|".join(_CURRENCY_WORDS) + r")\b)?"
    + r"(?P<or_more>\sor more\b)?",
    re.I,
)
_FRACTION = re.compile(
    r"(?<![\w-])" + _QUALIFIER
    + r"(?:(?P<ratio_num>one|two|three|four|five|six|seven|eight|nine|\d{1,2})\s(?:in|out of)\s"
    + r"(?P<ratio_den>two|three|four|five|six|seven|eight|nine|ten|twenty|hundred|\d{1,3})(?![\w-])"
    + r"|(?P<frac_num>one|two|three|four|a)[\s-](?P<frac_den>halves|half|thirds?|quarters?|fifths?|sixth|tenths?)(?![\w-])"
    + r"|(?P<half>half)(?=\sof\b|\sthe\b|\sits\b|\stheir\b|\sall\b))",
    re.I,
)
_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                 "ten": 10, "twenty": 20, "hundred": 100, "one": 1, "a": 1}
_YEAR = re.compile(r"(?<![\w.,-])(1[89]\d\d|20\d\d)(?![\w,])")
_YEAR_ANCHORED = re.compile(r"\b(?:in|by|since|during|as of|from|until|through|for)\s+(?:fiscal\s+)?(1[89]\d\d|20\d\d)\b", re.I)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\S")


def _figure_id(source_id: str, sentence_text: str, text: str, occurrence: int) -> str:
    key = f"{source_id}\x00{' '.join(sentence_text.split())}\x00{text}\x00{occurrence}"
    return "f-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


def _parse_number(original: str) -> float:
    raw = original.strip().translate(_SUPERSCRIPTS).replace(",", "")
    sci = re.fullmatch(r"(?:(\d+(?:\.\d+)?)\s?[×x]\s?)?10\^?(-?\d+)", raw)
    if sci and re.search(r"[\^×x⁰¹²³⁴⁵⁶⁷⁸⁹]", original):
        return float(sci.group(1) or 1) * 10 ** int(sci.group(2))
    return float(raw)


def _previous_word(sentence: str, start: int) -> str:
    found = re.search(r"([A-Za-z#][\w.#’'-]*)\s*$", sentence[:start])
    return found.group(1) if found else ""


# capitalised only because they open the sentence: "Only 12 species", "With 40 stores"
_OPENING_WORDS = {"only", "just", "some", "nearly", "almost", "about", "around", "over", "roughly", "exactly",
                  "another", "all", "with", "by", "approximately", "more", "fewer", "less", "under", "at",
                  "in", "and", "but", "so", "of", "the", "those", "these", "its", "their", "another", "another"}


def _is_name_word(word: str, sentence: str, start: int) -> bool:
    """A capitalised word just before a number makes it a name (Llama 3, Windows 11, Route 66)."""
    if not word or not word[0].isupper():
        return False
    word_start = sentence.rfind(word, 0, start)
    at_sentence_start = not sentence[:word_start].strip(" \"'“‘(-–—•*")
    return not at_sentence_start or word.lower() not in _OPENING_WORDS


def _is_not_a_figure(sentence: str, match: re.Match, plain: bool) -> bool:
    """Numbers that are names, labels, codes, years, dates, times, list markers or section numbers."""
    start, end = match.start("number"), match.end("number")
    number = match.group("number")
    before = sentence[max(0, start - 1):start]
    after = sentence[end:end + 1]
    tail = sentence[match.end():]
    if match.group("wordnum"):
        return False
    if before.isalpha() or (before in "-–" and not match.group("currency") and not match.group("bound_sym")):
        return True  # GPT-4.5, o3-mini, H800, V3
    if re.match(r"[A-Za-z]", tail) and not (match.group("percent") or match.group("times") or match.group("points")
                                            or match.group("currency_word") or match.group("or_more")):
        return True  # 5G, 221B, 1990s, 7pm, 5th
    if re.match(r"[-–/:]\s?\d|-[A-Za-z]|\.\d", sentence[match.end():]) or re.match(r"[-–/:]\d", sentence[end:]):
        if not match.group("number2"):
            return True  # 2025-10-30, 24/7, 06:00, 20-month, 3-1
    if re.match(r"0\d", number):
        return True  # phone numbers and codes: 0800, 0147
    previous = _previous_word(sentence, match.start())
    if previous.lower().rstrip(".") in _LABEL_WORDS or previous.lower() in _LABEL_WORDS:
        return True  # top 10, page 12, Level 5, grant number 4471
    if previous.lower().rstrip(".,")[:4].rstrip(".") in _MONTHS and previous[:1].isupper() and plain:
        return True  # June 25, Jul 9
    if plain:
        if _is_name_word(previous, sentence, match.start()) or re.search(r"\d[\w.]*\s$", sentence[:match.start()]):
            return True  # Llama 3, Windows 11, Gemini 1.5 Pro, Llama 3.1 405B
        if re.fullmatch(r"(1[89]|20)\d\d", number) and (not match.group("number2")
                                                        or re.fullmatch(r"(1[89]|20)\d\d", match.group("number2"))):
            return True  # a year, or a range of years
        if not sentence[:start].strip(" \"'“‘(•*-") and re.match(r"[.)]", after):
            return True  # list marker / section number: "1. The ...", "2) ..."
        if re.match(r"\s?(?:[ap]\.?m\.?)(?![a-z])", tail, re.I):
            return True  # 8 pm, 9 a.m.
        if re.match(r"\s(?:" + "|".join(_MONTHS) + r")[a-z]*\b", tail, re.I) and re.match(r"\s[A-Z]", tail):
            return True  # 3 March 2024, 12 November
    return False


def _counted_noun(sentence: str, end: int) -> tuple[str, str] | None:
    """(head noun, noun phrase) the number counts: the first plural noun among the next three words."""
    words = re.findall(r"[^\s—–]+|[—–]", sentence[end:])[:3]
    phrase: list[str] = []
    for raw in words:
        word = raw.strip(".,;:!?)(\"'“”‘’—–")
        clean_end = raw != word and not raw.startswith(word)  # punctuation after the word ends the phrase
        lowered = word.lower()
        if not word or lowered in _STOP or not re.fullmatch(r"[A-Za-z°][A-Za-z/-]*[A-Za-z]|[A-Za-z]", word):
            break
        if word[0].isupper() and not re.fullmatch(r"[A-Z]{2,}[a-z]?s?|[A-Z][A-Z]?[a-z]?[A-Z]h?", word):
            break  # a Name follows: an address, a date, a label
        phrase.append(lowered)
        if lowered in _MEASURE_UNITS or lowered in _IRREGULAR_PLURALS or (
                lowered.endswith("s") and not lowered.endswith(("ss", "us", "is")) and len(lowered) > 2):
            return lowered, " ".join(phrase)
        if clean_end:
            break
    return None


def _fraction_value(match: re.Match) -> float | None:
    if match.group("half"):
        return 50.0
    if match.group("ratio_num"):
        num, den = match.group("ratio_num").lower(), match.group("ratio_den").lower()
        num_v = float(num) if num.isdigit() else _NUMBER_WORDS.get(num)
        den_v = float(den) if den.isdigit() else _NUMBER_WORDS.get(den)
        if not num_v or not den_v or num_v >= den_v:
            return None
        return 100.0 * num_v / den_v
    num = match.group("frac_num").lower()
    den = match.group("frac_den").lower()
    num_v = _NUMBER_WORDS.get(num, 1)
    den_v = _DENOMINATORS[den]
    if den.endswith("s") and num_v == 1 or (not den.endswith("s") and num_v > 1 and den != "half"):
        return None
    return 100.0 * num_v / den_v


def _fraction_is_a_figure(sentence: str, match: re.Match) -> bool:
    """'one-third', 'one in five', 'half of': not 'a third party', 'the second half', 'one in ten years'."""
    tail = sentence[match.end():]
    previous = _previous_word(sentence, match.start()).lower()
    if match.group("ratio_num"):
        return True
    article_form = match.group("half") or (match.group("frac_num") or "").lower() == "a"
    if article_form and previous in {"first", "second", "third", "last", "latter", "other", "the", "and"}:
        return False  # "the second half", "one and a half"
    if match.group("frac_num") and match.group("frac_num").lower() == "a" or match.group("half"):
        return bool(re.match(r"\s(?:of|the)\b|\s?[.,;:)]|\s?$", tail)) or previous == "by" \
            or bool(match.group("bound_word"))
    return True


# a name: capitalised words, with model-like tokens inside ("Baidu ERNIE 4.5 Turbo", "OpenAI o3-mini")
_NAME_SPAN = re.compile(r"(?:[A-Z][\w&-]*(?:\.[A-Z]\.?)*[\w.]?)(?:\s(?:[A-Z][\w&.-]*|\d[\d.]*|[a-z]\d[\w.-]*)(?=[\s,;:)’'(]|$))*")
_CLAUSE_BREAK = re.compile(r"[,;:—–]\s|\s(?:and|while|but|whereas|because)\s")
# words that end a "what it measures" phrase
_PHRASE_BREAKERS = {"according", "compared", "including", "than", "since", "because", "while", "which", "who",
                    "that", "when", "where", "after", "before", "globally", "worldwide", "combined"}


def _subject(sentence: str, start: int) -> str:
    """The nearest name before the figure in its clause: what the figure is about."""
    clause_start = 0
    for found in _CLAUSE_BREAK.finditer(sentence, 0, start):
        clause_start = found.end()
    clause = sentence[clause_start:start]
    in_clause = list(_NAME_SPAN.finditer(clause))
    if in_clause:
        spans = [(clause_start + m.start(), m.group(0)) for m in reversed(in_clause)]
    else:  # nothing named in the clause: the sentence's first name, usually its subject
        spans = [(m.start(), m.group(0)) for m in _NAME_SPAN.finditer(sentence[:start])]
    for position, span_text in spans:
        words = span_text.split()
        at_start = not sentence[:position].strip(" \"'“‘(-–—•*")
        while words and (words[0] in _GENERIC_NAMES or (at_start and words[0].lower() in _COMMON_STARTERS)):
            words.pop(0)
            at_start = False
        while words and (words[-1] in _GENERIC_NAMES or words[-1][:1].isdigit()):
            words.pop()
        name = re.sub(r"[’']s$", "", " ".join(words)).strip(",")
        if not re.search(r"\.\w\.$", name):  # "U.S." keeps its last dot
            name = name.strip(".")
        if name and name.lower() not in _BOUND_WORDS and name not in _WHEN_WORDS:
            return name
    return ""


_ING_NOUNS = {"funding", "spending", "financing", "lending", "housing", "training", "pricing", "shipping",
              "listing", "earnings", "savings", "building", "advertising", "manufacturing", "rating"}


def _phrase(words: list[str], limit: int = 4) -> str:
    kept: list[str] = []
    for word in words:
        bare = word.strip(".,;:()\"“”").lower()
        if bare in _PHRASE_BREAKERS or (kept and bare in _STOP) or re.fullmatch(r"[$€£¥]?[\d.,]+[a-z]{0,2}", bare) \
                or (bare.endswith("ing") and bare not in _ING_NOUNS):
            break
        if word[-1:] in ",;:)":
            kept.append(bare)
            break
        if bare not in _STOP:
            kept.append(bare)
        if len(kept) >= limit:
            break
    return " ".join(kept)


def _measures(sentence: str, start: int, end: int, counted: str | None) -> tuple[str, str]:
    """(subject, what): the name the figure is about, and the noun phrase it quantifies."""
    subject = _subject(sentence, start)
    what = counted or ""
    if not what:
        after = re.split(r"[—–(]", sentence[end:], maxsplit=1)[0].split()
        if after[:1] and after[0].lower() in ("of", "in", "the"):
            what = _phrase(after[1:])  # 75% of global deployments, 40% the cost
        elif after:
            what = _phrase(after, 3)  # 93% accuracy, $10 billion in revenue
        if not what:
            before = re.split(r"[,;:()—–]", sentence[:start])[-1].split()
            named = set(subject.split())  # "nearing OpenAI o3-mini’s 95%" must not name the subject twice
            content = [w.strip("“”\"'") for w in before if w.lower() not in _STOP and not w[:1].isdigit()
                       and re.sub(r"[’']s$|(?<=s)[’']$", "", w) not in named
                       and not (w.endswith("ing") and w.lower() not in _ING_NOUNS)]
            what = " ".join(content[-3:]).lower()
    what = what.strip(" .,'\"“”’")
    return subject, what


_GENERIC_NAMES = {"AI", "I", "CEO", "CTO", "API", "LLM", "LLMs", "GDP", "The", "A", "An", "In", "On", "It",
                  "This", "That", "These", "Those", "But", "And", "As", "At", "By", "For", "From", "With"}
# a day or month alone says when, not what a figure is about ("on Monday", but "Theresa May" is a name)
_WHEN_WORDS = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February",
               "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
_COMMON_STARTERS = {"the", "a", "an", "in", "on", "at", "by", "for", "from", "with", "this", "that", "these",
                    "those", "it", "its", "their", "our", "we", "they", "he", "she", "but", "and", "or", "as",
                    "after", "before", "while", "when", "despite", "although", "however", "according",
                    "some", "only", "all", "one", "two", "more", "most", "less", "nearly", "about", "around",
                    "over", "under", "up", "almost", "roughly", "approximately", "prices", "sales", "market",
                    "tickets", "home", "wages", "turnout", "emissions", "exports", "imports", "profit",
                    "revenue", "shares", "customer", "unemployment", "inflation", "global", "models",
                    "researchers", "officials", "analysts", "students", "voters", "temperatures", "battery",
                    "industrial", "large", "users", "developed", "crucially", "last", "next", "each"}


def _looks_like_name(word: str) -> bool:
    return bool(re.fullmatch(r"[A-Z][a-z]+|[A-Z]{2,}|[A-Z][\w.&-]+", word)) and word.lower() not in _COMMON_STARTERS


def _sentence_year(text: str) -> int | None:
    """The year a sentence states: one anchored by 'in/by/since ...', else its only year."""
    anchored = _YEAR_ANCHORED.findall(text)
    if anchored:
        return int(anchored[0])
    years = {y for y in _YEAR.findall(text)}
    return int(years.pop()) if len(years) == 1 else None


def _candidates(text: str) -> list[dict]:
    """Every figure the sentence states, as plain dicts, before ids and subjects are attached."""
    found: list[dict] = []
    for match in _FRACTION.finditer(text):
        value = _fraction_value(match)
        if value is None or not _fraction_is_a_figure(text, match):
            continue
        found.append({"match": match, "value": round(value, 4), "unit": "percent", "high": None,
                      "counted": None, "start": match.start(), "end": match.end()})
    taken = [(c["start"], c["end"]) for c in found]
    last_counted: str | None = None
    for match in _NUMERIC.finditer(text):
        if any(s < match.end() and match.start() < e for s, e in taken):
            continue
        currency = (match.group("currency") or "").strip().lower()
        currency_word = (match.group("currency_word") or "").lower()
        scale = (match.group("scale") or match.group("scale_abbr") or "").lower()
        letter = match.group("scale_letter") or ""
        end = match.end()
        if letter:
            if currency or letter.isupper() and letter not in "T":
                scale = letter.lower()
            else:
                end = match.end("scale_letter") - 1  # "5m" without a currency: metres, not millions
        plain = not (currency or currency_word or scale or match.group("percent") or match.group("points")
                     or match.group("plus") or match.group("plus2") or match.group("bound_sym")
                     or match.group("times") or match.group("x") or match.group("or_more")
                     or re.search(r"[eE^⁰¹²³⁴⁵⁶⁷⁸⁹×]", match.group("number")))
        if _is_not_a_figure(text, match, plain):
            continue
        if match.group("wordnum"):
            number = float(_WORD_NUMBERS[match.group("wordnum").lower()])
        else:
            number = _parse_number(match.group("number"))
        factor = _SCALES.get(scale, 1.0)
        value = number * factor
        high = _parse_number(match.group("number2")) * factor if match.group("number2") else None
        if not math.isfinite(value) or (high is not None and not math.isfinite(high)):
            continue  # a run of hundreds of digits: too large for any number, not a figure anyone states
        counted = None
        if match.group("percent"):
            unit = "percent"
        elif match.group("points"):
            unit = "basis points" if match.group("points").lower().startswith(("basis", "bps")) else "percentage points"
        elif match.group("times") or match.group("x"):
            unit = "times"
        elif currency:
            unit = _CURRENCY_SIGNS.get(currency, currency.upper().replace("RMB", "CNY"))
        elif currency_word:
            unit = _CURRENCY_WORDS[currency_word]
        else:
            noun = _counted_noun(text, end)
            if noun:
                unit, counted = noun
                last_counted = unit
            elif last_counted:
                unit, counted = last_counted, last_counted  # "..., while X has 125 million."
            elif match.group("scale") or match.group("scale_abbr") or re.search(r"[eE^⁰¹²³⁴⁵⁶⁷⁸⁹×]", match.group("number")):
                unit = "count"
            else:
                continue  # a bare number with nothing counted: not a stated figure
        found.append({"match": match, "value": round(value, 6), "unit": unit, "high": high,
                      "counted": counted, "start": match.start(), "end": end})
    return sorted(found, key=lambda c: c["start"])


def _text_span(text: str, candidate: dict) -> tuple[int, int]:
    match = candidate["match"]
    start = match.start("bound_word") if match.group("bound_word") else match.start()
    end = candidate["end"]
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _bound(candidate: dict) -> str:
    match = candidate["match"]
    if match.group("bound_word"):
        return _BOUND_WORDS[match.group("bound_word").lower()]
    if match.group("bound_sym"):
        return _SYMBOL_BOUNDS[match.group("bound_sym")]
    groups = match.groupdict()
    if groups.get("plus") or groups.get("plus2") or groups.get("or_more"):
        return ">="
    return "="


def extract_figures(document: Document) -> list[Figure]:
    """Every figure stated in the document's kept sentences, in reading order."""
    figures: list[Figure] = []
    for sentence in document.sentences:
        seen: dict[str, int] = {}
        year = _sentence_year(sentence.text)
        for candidate in _candidates(sentence.text):
            start, end = _text_span(sentence.text, candidate)
            text = sentence.text[start:end]
            occurrence = seen.get(text, 0)
            seen[text] = occurrence + 1
            subject, what = _measures(sentence.text, start, end, candidate["counted"])
            figures.append(Figure(
                id=_figure_id(document.id, sentence.text, text, occurrence),
                source=document.id,
                sentence=sentence.id,
                text=text,
                start=start,
                value=candidate["value"],
                unit=candidate["unit"],
                bound=_bound(candidate),
                measures=" ".join(p for p in (subject, what) if p),
                year=year,
                high=candidate["high"],
                subject=subject,
            ))
    return figures
