"""Acceptance on the sample corpus (seeds/): clean text, off-topic tail excluded, metadata stated."""

import json
import re
from collections import Counter

import pytest

from generator.clean import boilerplate_reason

SOURCE_004 = "004_a7b1ff757e40759d"


@pytest.fixture(scope="module")
def data(sample_site):
    return json.loads((sample_site / "briefing.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def sources(data):
    return {s["id"]: s for s in data["sources"]}


def test_no_boilerplate_line_remains(sources):
    furniture = ["Skip to Content", "Recommended Articles", "Summary based on", "Get a daily email",
                 "We scan new podcasts", "sole responsibility", "Last Updated", "Feature Image"]
    for source in sources.values():
        paragraphs = source["text"].split("\n\n")
        assert all(boilerplate_reason(p) is None for p in paragraphs), source["id"]
        assert not {"Blog", "Source"} & set(paragraphs), source["id"]
        for phrase in furniture:
            assert phrase not in source["text"], (source["id"], phrase)


def test_each_duplicated_caption_or_headline_appears_once(sources):
    for source in sources.values():
        counts = Counter(source["text"].split("\n\n"))
        assert [p for p, n in counts.items() if n > 1] == [], source["id"]
        if source["title"]:
            assert source["title"] not in source["text"].split("\n\n"), source["id"]
    text = sources[SOURCE_004]["text"]
    assert text.count("Major international companies are ditching US AI models") == 1
    assert text.count("Microsoft's Brad Smith warns that global AI dominance") == 1
    assert text.count("OpenAI sounds the alarm as Chinese firm Zhipu AI") == 1
    # every line the page printed twice is kept once: the copies are listed as excluded, nothing is lost
    for source in sources.values():
        for e in source["excluded"]:
            if e["reason"] == "repeated line":
                kept = source["text"].split("\n\n") + [source["title"]] + [x["text"] for x in source["excluded"]
                                                                          if x is not e and x["reason"] != "repeated line"]
                assert e["text"] in kept, e["text"]


def test_captions_printed_twice_are_shown_once_as_captions(sample_site):
    page = (sample_site / "sources" / f"{SOURCE_004}.html").read_text("utf-8")
    captions = re.findall(r'<p class="caption">(.*?)</p>', page, re.S)
    assert len(captions) == 3
    for start in ("Major international companies", "Microsoft&#39;s Brad Smith warns", "OpenAI sounds the alarm"):
        assert sum(start in c for c in captions) == 1, start


def test_no_literal_escapes(sources):
    for source in sources.values():
        assert "\\n" not in source["text"] and "\\t" not in source["text"]
        assert all("\\n" not in s["text"] for s in source["sentences"])


def test_appended_article_is_excluded_as_off_topic_and_its_figures_never_reach_the_briefing(data, sources):
    source = sources[SOURCE_004]
    off_topic = [e for e in source["excluded"] if e["reason"].startswith("off-topic")]
    assert any("over 3 million users" in e["text"] for e in off_topic)
    assert any("Xiaohongshu" in e["text"] for e in off_topic)
    assert "Xiaohongshu" not in source["text"] and "Taiwan" not in source["text"]
    dumped = json.dumps({k: v for k, v in data.items() if k != "sources"}, ensure_ascii=False)
    assert "3 million" not in dumped and "Xiaohongshu" not in dumped
    assert not any("Xiaohongshu" in s["text"] for s in source["sentences"])
    kept = {s["id"] for s in source["sentences"]}
    assert all(f["sentence_id"] in kept for f in data["figures"] if f["source"] == SOURCE_004)
    # the article itself is kept whole
    assert "the world seems to be taking notice" in source["text"]


def test_metadata_is_filled_where_the_source_states_it(sources):
    meta = {sid: (s["title"], s["date"], s["publisher"], s["author"]) for sid, s in sources.items()}
    assert meta["003_10569f59934028ba"] == (
        "China's Open-Source AI Strategy Shakes Up Global Tech Landscape, Impacting US Markets and Geopolitics",
        "2025-07-09", "Al Jazeera", None)
    title, date, publisher, author = meta[SOURCE_004]
    assert title.startswith("China's AI Revolution") and date.startswith("2025-07-03")
    assert (publisher, author) == (None, "Mao Paishou")
    for sid in ("000_bc65ecdb2bcebfcd", "001_4f433000bd962da8", "002_5dcd491e726d5f0a"):
        assert meta[sid][1:] == (None, None, None), sid  # these state no date, publisher or author


def test_source_page_shows_excluded_parts_folded_with_reasons(sample_site):
    page = (sample_site / "sources" / f"{SOURCE_004}.html").read_text("utf-8")
    folded = page[page.index("<details"):page.index("</details>")]
    assert "off-topic" in folded and "Xiaohongshu" in folded and "repeated line" in folded
    assert re.search(r'class="reason">\s*byline', folded)
