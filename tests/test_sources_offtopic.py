"""Off-topic segments and the editor's overrides (front matter ``include`` / ``exclude``)."""

from collections import Counter
from pathlib import Path

from generator.models import SourceFile
from generator.normalise import normalise
from generator.offtopic import content_terms, similarity
from generator.read import read_source

FIXTURES = Path(__file__).parent / "fixtures" / "sources"


def load(name: str, front: dict | None = None):
    source = read_source(FIXTURES / name, FIXTURES, 10**7)
    if front is not None:
        source = SourceFile(**{**source.__dict__, "front_matter": front})
    return normalise(source)


def off_topic(doc):
    return [e.text for e in doc.excluded if e.reason.startswith("off-topic")]


def test_similarity_of_term_counts():
    assert similarity(content_terms("rivers and dams hold water"), content_terms("the dam holds river water")) > 0.5
    assert similarity(content_terms("rivers and dams"), content_terms("football strikers score goals")) == 0
    assert similarity(Counter(), content_terms("anything")) == 0


def test_glued_second_article_is_excluded_with_a_reason():
    doc = load("glued_article.txt")
    dropped = off_topic(doc)
    assert len(dropped) == 3 and dropped[0].startswith("The football club confirmed")
    assert "striker" not in doc.text and "60,000" not in doc.text
    assert "Cycling groups welcomed the vote" in doc.text
    assert doc.author == "Helena Marsh"
    reason = next(e.reason for e in doc.excluded if e.reason.startswith("off-topic"))
    assert "shares few terms" in reason


def test_on_topic_section_after_a_separator_is_kept():
    doc = load("ontopic_sections.txt")
    assert off_topic(doc) == []
    assert "Residents of two hamlets" in doc.text


def test_a_change_of_subject_without_a_boundary_is_not_cut():
    text = open(FIXTURES / "glued_article.txt", encoding="utf-8").read()
    text = text.replace("\n\n\n\nHelena Marsh\n\n", "\n\n").replace(
        "** This column is the sole responsibility of the author and does not represent the position of the "
        "publisher. **\n\n", "")
    doc = normalise(SourceFile(path="seeds/g.txt", id="g", kind="txt", text=text, encoding="utf-8"))
    assert off_topic(doc) == []


def test_editor_include_restores_excluded_text():
    doc = load("glued_article.txt", {"include": ["The striker scored 31 goals"]})
    assert "The striker scored 31 goals last season" in doc.text
    assert "The football club confirmed" not in doc.text


def test_editor_include_by_reason_restores_a_whole_kind():
    doc = load("glued_article.txt", {"include": ["off-topic"]})
    assert off_topic(doc) == [] and "Ticket sales for the final" in doc.text


def test_editor_exclude_drops_paragraphs_and_passages():
    doc = load("ontopic_sections.txt", {"exclude": [
        "Farmers who draw irrigation water from the river said the reservoir should also release water to keep "
        "the river flowing in dry months.",
        "The reservoir would store enough water to supply the region's households for two summers."]})
    assert "Farmers who draw" not in doc.text and "two summers" not in doc.text
    assert "The regional water utility announced plans" in doc.text
    assert [e.reason for e in doc.excluded].count("excluded by editor") == 2
    assert all("two summers" not in s.text for s in doc.sentences)


def test_editor_exclude_as_a_single_string():
    doc = load("ontopic_sections.txt", {"exclude": "Engineers have identified a valley"})
    assert "Engineers have identified a valley" not in doc.text


def test_build_keeps_excluded_parts_visible_and_their_figures_out(tmp_path):
    """End to end on a fixture: `text` has blank-line paragraphs, `excluded` is {text, reason}, the page folds them,
    and no figure of the glued article reaches the briefing."""
    import json

    from conftest import build_in_process, make_project

    project = make_project(tmp_path / "p", {"column.txt": (FIXTURES / "glued_article.txt").read_text("utf-8")})
    assert build_in_process(project) == 0
    data = json.loads((project / "site" / "briefing.json").read_text("utf-8"))
    (source,) = data["sources"]
    paragraphs = source["text"].split("\n\n")
    assert paragraphs[0].startswith("The city council voted on Monday") and len(paragraphs) == 4
    assert all(p.strip() == p and p and "\n" not in p for p in paragraphs)
    assert all(set(e) == {"text", "reason"} for e in source["excluded"])
    def reason(start):
        return next(e["reason"] for e in source["excluded"] if e["text"].startswith(start))
    assert reason("March 3, 2024") == "dateline" and reason("Helena Marsh") == "byline"
    assert reason("Recommended Articles") == "related links"
    assert all(reason(p).startswith("off-topic: ") for p in ("The football club", "The striker", "Ticket sales"))
    texts = {f["text"] for f in data["figures"]}
    assert texts == {"42", "25,000"}  # the column's own figures; not the striker's 31 goals or 60,000 fans
    assert "60,000" not in json.dumps([v for k, v in data.items() if k != "sources"])
    page = (project / "site" / source["page"]).read_text("utf-8")
    folded = page[page.index("<details"):page.index("</details>")]
    assert "off-topic" in folded and "The striker scored 31 goals" in folded
    assert "The striker scored" not in page.replace(folded, "")
