"""The site's search index: small shards fetched lazily, so a query costs kilobytes at any size.

MkDocs' built-in search ships one ``search_index.json`` holding every page's full text
(about 12 KB per page) and the reader downloads all of it on the first query. Here the
index is a term -> postings map split into shards by term prefix, plus a document table
split into chunks of at most sixteen documents on average. A query fetches
``search/manifest.json``, the shards of its words' prefixes, and the document chunks of the
results it shows (``templates/assets/search.js``). Measurements and the choice: docs/search.md.

Layout (all under ``search/``):
- ``manifest.json``: ``{"version", "documents", "chunk_size", "shards": [prefix...], "stopwords": [...]}``
- ``t/<name>.json``: ``{term: [doc, weight, doc, weight, ...]}`` for the terms starting with the
  shard's prefix (``doc`` delta-encoded); ``<name>`` is the prefix itself when it is ``[a-z0-9]+``,
  else ``x`` + the hex of its UTF-8 bytes.
- ``d/<n>.json``: ``[[location, title, kind, excerpt], ...]``: document chunk ``n``, whose documents are
  numbered ``n*chunk_size`` onwards.

A document's chunk is worked out from its location alone (a hash, ``document_chunk``), not from its
place among all the documents: adding a source adds its documents to a few chunks and leaves the
other chunks' files byte-identical, so a rebuild links them from the previous site instead of
writing them again (issue 8: a thousand small files were 0.6 s of a rebuild), and a reviewer's diff
of two builds shows the chunks that changed, not every chunk after the new source. Chunks hold
``CHUNK_SIZE`` documents on average; ``chunk_size`` is the largest chunk, so numbers have gaps.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

from . import urls
from .export import compact_json
from .models import Document, Figure, SearchTerms

SEARCH_DIR = "search"
MANIFEST = f"{SEARCH_DIR}/manifest.json"
CLIENT = "assets/search.js"
CHUNK_SIZE = 16  # at most this many documents a chunk on average: the 50 results shown fetch up to 50 chunks
RESULTS_SHOWN = 50  # search.js: MAX_RESULTS
SHARD_PREFIX = 2  # shard terms by their first two characters...
SHARD_SPLIT_BYTES = 48 * 1024  # ...and split a shard by one more character while it is larger than this
MAX_PREFIX = 5
# A document's weight for a word: its count in the title and in the text, each saturated and
# scaled by that field's length (BM25's term weight, k1 = 1.2, b = 0.75, against fixed lengths so a
# weight depends only on its own document), summed as an integer. A word of a title of up to three
# words outweighs any count in a text, so a page named by the query comes before pages that mention it.
SATURATION = 1.2
LENGTH_EFFECT = 0.75
TITLE_WORDS, TITLE_SCALE = 4, 20  # a one-word title: 29; four words: 20; eight: 14
TEXT_WORDS, TEXT_SCALE = 400, 10  # at most 22
EXCERPT_CHARS = 160

# Words too common to help; the client drops them from queries too (they are in the manifest).
STOPWORDS = frozenset("""
a an and are as at be been but by for from had has have he her his if in into is it its of on or our she
so than that the their them then there these they this those to was we were which who will with would you
""".split())

_WORD = re.compile(r"[^\W_]+")


def tokens(text: str) -> list[str]:
    """Lower-case words (letters and digits); search.js splits queries the same way."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).lower())


def page_kind(location: str) -> str:
    """What a search result is, from where it lives (shown beside each result)."""
    if location.startswith("figures/") and "#" in location:
        return "figure"
    section, _, name = location.partition("/")
    if name and not name.startswith("index.html"):
        return {"sources": "source", "themes": "theme", "entities": "entity"}.get(section, "page")
    return "page"


def shard_name(prefix: str) -> str:
    """File name of a shard; search.js computes the same."""
    if re.fullmatch(r"[a-z0-9]+", prefix):
        return prefix
    return "x" + prefix.encode("utf-8").hex()


def _excerpt(text: str) -> str:
    # Spacing evened out in the start of the text only, where that is long enough: the result
    # is the same (the start's words are the whole text's first words, the last perhaps cut short).
    head = " ".join(text[:4 * EXCERPT_CHARS].split())
    if len(head) <= EXCERPT_CHARS:
        head = " ".join(text.split())
        if len(head) <= EXCERPT_CHARS:
            return head
    cut = head[:EXCERPT_CHARS].rsplit(" ", 1)[0]
    return cut + "…"


def figure_location(figure_id: str) -> str:
    return f"{urls.FIGURES}#{figure_id}"


def figure_title(text: str, measures: str | None) -> str:
    """A figure's title in the index: its value as written and what it measures."""
    return " ".join(part for part in (text, measures or "") if part)


def figure_text(unit: str | None, sentence: str | None, source_title: str | None) -> str:
    """A figure's text in the index: its unit, its sentence and its source's title."""
    return " ".join(part for part in (unit or "", sentence or "", source_title or "") if part)


def _row_text(row: dict) -> str:
    return figure_text(row.get("unit"), row.get("sentence"), row.get("source_title"))


def documents(entries, figure_rows) -> list[tuple[str, str, str, Callable[[], str]]]:
    """(location, title, kind, text) for every page entry and every figure, in a stable order.
    ``text`` is a function: each text is made as it is indexed, never all of them at once (a
    theme page's text at thousands of sources is megabytes: issue 8)."""
    docs = [(e.location, e.title, page_kind(e.location), partial(getattr, e, "text"))
            for e in entries if e.location != "search.html"]
    for row in figure_rows:
        docs.append((figure_location(row["id"]), figure_title(row["text"], row.get("measures")), "figure",
                     partial(_row_text, row)))
    return sorted(docs, key=lambda d: (d[0], d[1]))


def chunk_count(documents: int) -> int:
    """How many document chunks: the least power of two giving chunks of at most ``CHUNK_SIZE``
    documents on average. (A power of two, so that it changes only as the site doubles.)"""
    count = 1
    while count * CHUNK_SIZE < documents:
        count *= 2
    return count


def document_chunk(location: str, count: int) -> int:
    """The chunk (of ``count``) a document belongs to: from its location only, so the same at every build."""
    return int.from_bytes(hashlib.sha256(location.encode("utf-8", "surrogatepass")).digest()[:8], "big") % count


def _saturated(count: int, length: int, reference: int) -> float:
    return count * (SATURATION + 1) / (count + SATURATION * (1 - LENGTH_EFFECT + LENGTH_EFFECT * length / reference))


def _counts(text: str) -> tuple[Counter, int]:
    """Each word's count in ``text`` but stopwords, and how many words it has (counted in C)."""
    words = tokens(text)
    counts = Counter(words)
    for word in STOPWORDS.intersection(counts):
        del counts[word]
    return counts, len(words)


def _weights(title: str, text: str) -> dict[str, int]:
    """Each word's weight in one document (see TITLE_SCALE). A text's weights depend only on the
    counts, which are few: worked out once per count, not per word (issue 8)."""
    text_counts, text_length = _counts(text)
    by_count = {n: TEXT_SCALE * _saturated(n, text_length, TEXT_WORDS) for n in set(text_counts.values())}
    rounded = {n: max(1, round(weight)) for n, weight in by_count.items()}
    weights = {word: rounded[n] for word, n in text_counts.items()}
    title_counts, title_length = _counts(title)
    for word, n in title_counts.items():
        in_text = by_count[text_counts[word]] if word in text_counts else 0.0
        weights[word] = max(1, round(in_text + TITLE_SCALE * _saturated(n, title_length, TITLE_WORDS)))
    return weights


def source_terms(document: Document, figures: tuple[Figure, ...]) -> SearchTerms:
    """The terms of a source's page and of each of its figures: per-source work, done in the map
    (and kept in the cache) so a rebuild tokenises only the sources that changed (issue 8). The
    page's title and text, and each figure's, are what the render indexes (``documents``)."""
    title = document.display_title
    sentences = {s.id: s.text for s in document.sentences}
    docs = [(urls.source_page(document.id), title, document.text),
            *((figure_location(f.id), figure_title(f.text, f.measures),
               figure_text(f.unit, sentences[f.sentence], title)) for f in figures)]
    weights = [_weights(doc_title, text) for _, doc_title, text in docs]
    return SearchTerms("\n".join(location for location, _, _ in docs), "\n".join(" ".join(w) for w in weights),
                       bytes(weight for w in weights for weight in w.values()))


def known_terms(packed: Iterable[SearchTerms]) -> dict[str, tuple[str, bytes]]:
    """Each document's words (a line of its source's ``SearchTerms``) and their weights, by location."""
    known = {}
    for terms in packed:
        start = 0
        for location, line in zip(terms.locations.split("\n"), terms.words.split("\n")):
            count = line.count(" ") + 1 if line else 0
            known[location] = (line, terms.weights[start:start + count])
            start += count
    return known


def _postings(docs, known: dict[str, tuple[str, bytes]]) -> tuple[dict[str, list[int]], list[str]]:
    """term -> ``[doc, weight, doc, weight, ...]`` over ``docs`` ((number, document) pairs, numbers
    ascending), each doc number written as its difference from the one before: flat lists of small
    ints, not a tuple per posting (millions of them at thousands of sources: issue 8); and each
    document's excerpt, in the order of ``docs``. A document's terms are taken
    from ``known`` (``known_terms``) where they are there, else worked out here."""
    postings: dict[str, list[int]] = {}
    last: dict[str, int] = {}
    excerpts: list[str] = []
    for number, (location, title, _, make_text) in docs:
        text = make_text()
        excerpts.append(_excerpt(text))
        found = known.pop(location, None)  # dropped as used: at 5,000 sources, tens of megabytes
        pairs = _weights(title, text).items() if found is None else zip(found[0].split(), found[1])
        for word, weight in pairs:
            flat = postings.get(word)
            if flat is None:
                postings[word] = [number, weight]
            else:
                flat += (number - last[word], weight)
            last[word] = number
    return postings, excerpts


def _shards(postings: dict[str, list[int]], length: int, terms: list[str]) -> dict[str, bytes]:
    """Terms grouped by prefix, each shard as its file's bytes; a shard over the size limit is split
    by one more character. (Encoded once: the size is the encoded one.)"""
    groups: dict[str, list[str]] = {}
    for term in terms:
        groups.setdefault(term[:length], []).append(term)
    shards: dict[str, bytes] = {}
    for prefix, members in groups.items():
        encoded = compact_json({t: postings[t] for t in members})
        longer = [t for t in members if len(t) > length]
        if length < MAX_PREFIX and longer and len(encoded) > SHARD_SPLIT_BYTES:
            short = {t: postings[t] for t in members if len(t) <= length}
            if short:
                shards[prefix] = compact_json(short)
            shards.update(_shards(postings, length + 1, longer))
        else:
            shards[prefix] = encoded
    return shards


def index_files(entries, figure_rows, known: Iterable[SearchTerms] = ()) -> dict[str, bytes]:
    """Every file of the search index (site-relative path -> bytes), deterministic. ``known``:
    sources' terms already worked out (``source_terms``)."""
    docs = documents(entries, figure_rows)
    count = chunk_count(len(docs))
    chunks: list[list[tuple]] = [[] for _ in range(count)]  # each in location order, as ``docs`` is
    for doc in docs:
        chunks[document_chunk(doc[0], count)].append(doc)
    size = max(map(len, chunks))  # document n is the (n % size)th of chunk n // size
    numbered = [(n * size + i, doc) for n, chunk in enumerate(chunks) for i, doc in enumerate(chunk)]
    postings, excerpts = _postings(numbered, known_terms(known))
    shards = _shards(postings, SHARD_PREFIX, sorted(postings))
    files: dict[str, bytes] = {}
    for prefix, encoded in shards.items():
        files[f"{SEARCH_DIR}/t/{shard_name(prefix)}.json"] = encoded
    rows = iter(excerpts)
    for n, chunk in enumerate(chunks):
        if chunk:
            files[f"{SEARCH_DIR}/d/{n}.json"] = compact_json([[loc, title, kind, next(rows)]
                                                              for loc, title, kind, _ in chunk])
    files[MANIFEST] = compact_json({"version": 1, "documents": len(docs), "chunk_size": size,
                                    "shards": sorted(shards), "stopwords": sorted(STOPWORDS)})
    return files


def query(site_dir: Path, text: str) -> tuple[list[dict], list[str]]:
    """What search.js does for one query, in Python (for tests and the benchmarks): the results
    it shows (location, title, kind, excerpt, best first) and every file it fetches."""
    site_dir = Path(site_dir)
    manifest = json.loads((site_dir / MANIFEST).read_text("utf-8"))
    fetched = [CLIENT, MANIFEST]
    words = list(dict.fromkeys(w for w in tokens(text) if len(w) > 1 and w not in manifest["stopwords"]))
    per_word: list[dict[int, float]] = []
    for word in words:
        scores: dict[int, float] = {}
        for prefix in manifest["shards"]:
            if not (word.startswith(prefix) or prefix.startswith(word)):
                continue
            path = f"{SEARCH_DIR}/t/{shard_name(prefix)}.json"
            fetched.append(path)
            for term, flat in json.loads((site_dir / path).read_text("utf-8")).items():
                if term.startswith(word):
                    idf = math.log(1 + manifest["documents"] / (len(flat) / 2))
                    factor = 1 if term == word else 0.5
                    number = 0
                    for i in range(0, len(flat), 2):
                        number += flat[i]
                        scores[number] = scores.get(number, 0) + flat[i + 1] * idf * factor
        per_word.append(scores)
    total = {n: sum(s[n] for s in per_word) for n in per_word[0] if all(n in s for s in per_word)} if per_word else {}
    shown = sorted(total, key=lambda n: (-total[n], n))[:RESULTS_SHOWN]
    size = manifest["chunk_size"]
    chunks = {c: json.loads((site_dir / f"{SEARCH_DIR}/d/{c}.json").read_text("utf-8"))
              for c in dict.fromkeys(n // size for n in shown)}
    fetched += [f"{SEARCH_DIR}/d/{c}.json" for c in chunks]
    results = [dict(zip(("location", "title", "kind", "excerpt"), chunks[n // size][n % size])) for n in shown]
    return results, list(dict.fromkeys(fetched))


def payload_sizes(site_dir: Path, text: str = "deepseek") -> dict:
    """Bytes of the whole index, and of what one query downloads (``query``'s files): for the benchmarks."""
    site_dir = Path(site_dir)
    index_bytes = sum(p.stat().st_size for p in (site_dir / SEARCH_DIR).rglob("*") if p.is_file())
    manifest = json.loads((site_dir / MANIFEST).read_text("utf-8"))
    _, fetched = query(site_dir, text)
    return {"design": "sharded", "index_bytes": index_bytes, "query": text, "fetched": fetched,
            "first_query_bytes": sum((site_dir / path).stat().st_size for path in fetched),
            "documents": manifest["documents"], "shards": len(manifest["shards"])}
