"""The search index (generator/search.py), page metadata, the Atom feed and the sitemap (generator/feeds.py)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from types import SimpleNamespace

from conftest import build_in_process, make_project
from generator import search

ATOM = "{http://www.w3.org/2005/Atom}"


def _entry(location, title, text):
    return SimpleNamespace(location=location, title=title, text=text)


def test_index_finds_words_by_prefix_and_types_pages():
    entries = [_entry("sources/a.html", "Alpha report", "Zebras graze. Zebra numbers rose."),
               _entry("themes/t.html", "Grazing", "Where zebras and antelopes graze."),
               _entry("entities/z.html", "Zebra Corp", "Zebra Corp makes things.")]
    rows = [{"id": "f-1", "text": "40%", "measures": "of zebras", "unit": "percent", "sentence": "40% of zebras graze.",
             "source_title": "Alpha report"}]
    files = search.index_files(entries, rows)
    manifest = json.loads(files[search.MANIFEST])
    assert manifest["documents"] == 4 and "ze" in manifest["shards"]
    shard = json.loads(files["search/t/ze.json"])
    assert {"zebra", "zebras"} <= set(shard)
    docs = json.loads(files["search/d/0.json"])
    assert sorted(d[2] for d in docs) == ["entity", "figure", "source", "theme"]
    assert "the" not in json.dumps(sorted(k for f, b in files.items() if "/t/" in f for k in json.loads(b)))
    assert search.index_files(list(reversed(entries)), rows) == files  # order of input does not matter


def _ranking(site, text: str) -> list[str]:
    return [r["location"] for r in search.query(site, text)[0]]


def test_a_page_named_by_the_query_ranks_first_and_long_texts_do_not_swamp(tmp_path):
    mentions = " ".join(["Zebra Corp grew."] * 200)  # a long text saying the name over and over
    entries = [_entry("sources/long.html", "Annual report", mentions),
               _entry("sources/short.html", "Note", "Zebra Corp hired staff."),
               _entry("entities/zebra.html", "Zebra Corp", "Zebra Corp")]
    files = search.index_files(entries, [])
    for path, content in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(content)
    assert _ranking(tmp_path, "zebra")[0] == "entities/zebra.html"
    assert _ranking(tmp_path, "zebra hired") == ["sources/short.html"]  # every word must match
    entity, long, short = json.loads(files["search/t/ze.json"])["zebra"][1::2]  # documents by location
    assert long <= 2.2 * search.TEXT_SCALE < entity  # 200 mentions saturate below one word of a title
    # One mention weighs less in a longer text; many mentions are worth little more than a few.
    short, long = (search._weights("", "zebra " + "grass " * n)["zebra"] for n in (20, 2000))
    assert short > long >= 1
    few, many = (search._weights("", "zebra grass " * n)["zebra"] for n in (5, 500))
    assert few < many <= 2.2 * search.TEXT_SCALE < few * 1.3


def test_theme_and_entity_pages_are_indexed_by_their_own_words(sample_site):
    """Not by the passages they quote: those are their sources' words, found on the source pages."""
    data = json.loads((sample_site / "briefing.json").read_text("utf-8"))
    assert _ranking(sample_site, "deepseek")[0] == "entities/deepseek.html"
    assert "themes/chips.html" in _ranking(sample_site, "nvidia")  # one of the theme's cues
    theme = next(t for t in data["themes"] if t["id"] == "chips")
    own = set(search.tokens(" ".join([theme["title"], theme["description"], *theme["cues"]])))
    text = {(s["id"], x["id"]): x["text"] for s in data["sources"] for x in s["sentences"]}
    quoted = [w for m in theme["sentences"] for w in search.tokens(text[(m["source"], m["sentence"])])
              if len(w) > 3 and w not in own and w not in search.STOPWORDS]
    assert quoted
    for word in quoted[:20]:
        found = _ranking(sample_site, word)
        assert "themes/chips.html" not in found, word
        assert any(loc.startswith("sources/") for loc in found), word


def test_large_shards_split_by_a_longer_prefix():
    entries = [_entry(f"sources/s{i}.html", f"Doc {i}", " ".join(f"word{i}x{j}" for j in range(40)))
               for i in range(200)]
    manifest = json.loads(search.index_files(entries, [])[search.MANIFEST])
    assert any(len(p) > search.SHARD_PREFIX for p in manifest["shards"])
    assert search.shard_name("wo") == "wo" and search.shard_name("日本") == "x" + "日本".encode().hex()


def test_site_has_search_feed_and_metadata(tmp_path):
    project = make_project(tmp_path / "p", sample=True, config_extra="\nsite_url: https://example.org/brief/\n")
    assert build_in_process(project) == 0
    site = project / "site"
    sizes = search.payload_sizes(site, "DeepSeek")
    assert 0 < sizes["first_query_bytes"] < sizes["index_bytes"] + 10_000
    assert not (site / "search" / "search_index.json").exists()  # MkDocs' search is not used
    feed = ET.parse(site / "feed.xml").getroot()
    updated = [e.findtext(f"{ATOM}updated") for e in feed.iter(f"{ATOM}entry")]
    assert updated and updated == sorted(updated, reverse=True)
    assert feed.findtext(f"{ATOM}updated") == updated[0]
    assert feed.find(f"{ATOM}entry/{ATOM}link").get("href").startswith("https://example.org/brief/sources/")
    sitemap_ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locs = [e.text for e in ET.parse(site / "sitemap.xml").getroot().iter(f"{sitemap_ns}loc")]
    assert len(locs) > 20 and all(loc.startswith("https://example.org/brief/") for loc in locs)
    sitemap = (site / "sitemap.xml").read_text("utf-8")
    assert "<loc>https://example.org/brief/</loc>" in sitemap and "search/" not in sitemap
    source_page = next((site / "sources").glob("0*.html")).read_text("utf-8")
    assert '<link rel="canonical" href="https://example.org/brief/sources/' in source_page
    assert '<meta property="og:type" content="article">' in source_page
    assert '<meta name="description" content="' in source_page
    first = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert build_in_process(project, "--no-cache") == 0
    second = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    for name in ("feed.xml", "sitemap.xml"):
        assert first[type(next(iter(first)))(name)] == second[type(next(iter(second)))(name)]
    assert {k: v for k, v in first.items() if k.parts[0] == "search"} == \
        {k: v for k, v in second.items() if k.parts[0] == "search"}


def test_no_sitemap_without_site_url(sample_site):
    assert (sample_site / "feed.xml").exists() and not (sample_site / "sitemap.xml").exists()
    home = (sample_site / "index.html").read_text("utf-8")
    assert 'rel="canonical"' not in home and 'href="feed.xml"' in home


def test_a_new_page_changes_only_the_document_chunk_it_lands_in():
    entries = [_entry(f"sources/s{i:03d}.html", f"Report {i}", f"Zebras graze in field {i}.") for i in range(300)]
    before = search.index_files(entries, [])
    after = search.index_files(entries + [_entry("sources/s150b.html", "Late report", "Zebras rest.")], [])
    chunks = {path for path in before if "/d/" in path}
    assert len(chunks) > 10 and {path for path in after if "/d/" in path} == chunks
    changed = {path for path in chunks if before[path] != after[path]}
    assert len(changed) == 1  # not every chunk after it, as numbering by position did
    manifest = json.loads(after[search.MANIFEST])
    assert manifest["documents"] == 301
    # Document n is still the (n % chunk_size)th of chunk n // chunk_size, as search.js reads it.
    size, located = manifest["chunk_size"], {}
    for path in chunks:
        for i, doc in enumerate(json.loads(after[path])):
            located[int(path.rsplit("/", 1)[1].split(".")[0]) * size + i] = doc[0]
    number = 0
    for delta in json.loads(after["search/t/la.json"])["late"][0::2]:
        number += delta
    assert located[number] == "sources/s150b.html"
