"""What a reader's browser downloads for a first search query, read from a built site.

Recognises the chunked index of ``generator/search.py`` (``search/manifest.json``: term shards
by prefix and document chunks): a query costs what ``generator.search.query`` says search.js
fetches (the client script, the manifest, the shards of the query's words and the document chunks
of the results shown). Otherwise MkDocs' own search: the whole ``search_index.json`` plus its
scripts, all fetched on the first query.
"""

from __future__ import annotations

from pathlib import Path

QUERY = "deepseek open source cost"  # words the generated corpus uses everywhere: a heavy query


def _size(path: Path) -> int:
    return path.stat().st_size if path.is_file() else 0


def first_query_payload(site: Path, query: str = QUERY) -> dict:
    search = site / "search"
    if (search / "manifest.json").is_file():  # the briefing's own index: fetched as search.js fetches it
        from generator.search import payload_sizes

        return payload_sizes(site, query)
    index_bytes = sum(p.stat().st_size for p in search.rglob("*") if p.is_file())
    scripts = sum(_size(p) for p in search.glob("*.js"))
    return {"design": "mkdocs search_index.json", "index_bytes": index_bytes,
            "first_query_bytes": _size(search / "search_index.json") + scripts, "fetched": []}
