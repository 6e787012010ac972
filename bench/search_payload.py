"""What a reader's browser downloads for a first search query, read from a built site.

Recognises the chunked index of ``generator/search.py`` (``search/manifest.json``: term shards
by prefix and document chunks): a query costs the client script, the manifest, the shard of each
query word and the document chunks of the results shown. Otherwise MkDocs' own search: the whole
``search_index.json`` plus its scripts, all fetched on the first query.
"""

from __future__ import annotations

import json
from pathlib import Path

QUERY = ["deepseek", "open", "source", "cost"]  # words the generated corpus uses everywhere: a heavy query
RESULTS_SHOWN = 20


def _size(path: Path) -> int:
    return path.stat().st_size if path.is_file() else 0


def first_query_payload(site: Path, query: list[str] = QUERY) -> dict:
    search = site / "search"
    index_bytes = sum(p.stat().st_size for p in search.rglob("*") if p.is_file())
    manifest_path = search / "manifest.json"
    if not manifest_path.is_file():
        scripts = sum(_size(p) for p in search.glob("*.js"))
        return {"design": "mkdocs search_index.json", "index_bytes": index_bytes,
                "first_query_bytes": _size(search / "search_index.json") + scripts, "fetched": []}
    from generator.search import CLIENT, shard_name  # the site's own naming rules

    manifest = json.loads(manifest_path.read_text("utf-8"))
    shards = set(manifest.get("shards", []))
    fetched = {CLIENT: _size(site / CLIENT), "search/manifest.json": _size(manifest_path)}
    scores: dict[int, int] = {}
    for word in query:
        prefix = next((word[:n] for n in range(len(word), 0, -1) if word[:n] in shards), None)
        if prefix is None:
            continue
        shard_path = search / "t" / f"{shard_name(prefix)}.json"
        fetched[f"search/t/{shard_path.name}"] = _size(shard_path)
        postings = json.loads(shard_path.read_text("utf-8")).get(word, []) if shard_path.is_file() else []
        doc = 0
        for delta, weight in zip(postings[::2], postings[1::2]):
            doc += delta
            scores[doc] = scores.get(doc, 0) + weight
    chunk = int(manifest.get("chunk_size", 256)) or 256
    shown = sorted(scores, key=lambda d: (-scores[d], d))[:RESULTS_SHOWN]
    for number in sorted({d // chunk for d in shown}):
        fetched[f"search/d/{number}.json"] = _size(search / "d" / f"{number}.json")
    return {"design": "chunked (generator/search.py)", "index_bytes": index_bytes,
            "first_query_bytes": sum(fetched.values()), "query": query, "fetched": fetched}
