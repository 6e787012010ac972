"""Near-duplicate sources are detected, reported naming both files, and counted once."""

import json
from pathlib import Path

from conftest import build_in_process, make_project
from generator.duplicates import near_duplicate_pairs, overlap, shingles
from generator.models import SourceFile
from generator.normalise import normalise

FIXTURES = Path(__file__).parent / "fixtures" / "sources"
WIRE = (FIXTURES / "wire_story.txt").read_text("utf-8")
COPY = (FIXTURES / "wire_story_copy.md").read_text("utf-8")
OTHER = (FIXTURES / "ontopic_sections.txt").read_text("utf-8")


def doc(source_id: str, text: str):
    return normalise(SourceFile(path=f"seeds/{source_id}.txt", id=source_id, kind="txt", text=text, encoding="utf-8"))


def test_shingles_ignore_case_and_punctuation():
    assert shingles("One two, three FOUR five six.") == shingles("one two three four five six")
    assert len(shingles("one two three four five six")) == 2
    assert shingles("too short") == frozenset()


def test_overlap_measures():
    a, b = shingles(WIRE), shingles(WIRE + " One more closing sentence added by the second paper.")
    jaccard, containment = overlap(a, b)
    assert containment == 1.0 and 0.8 < jaccard < 1.0


def test_same_article_twice_is_a_pair_other_articles_are_not():
    docs = [doc("b-copy", WIRE.replace("Thursday", "Thursday evening")), doc("a-wire", WIRE), doc("c", OTHER)]
    pairs = near_duplicate_pairs(docs)
    assert [(kept.id, dup.id) for kept, dup, _ in pairs] == [("a-wire", "b-copy")]


def test_truncated_syndicated_copy_is_a_duplicate():
    first_half = "\n\n".join(WIRE.split("\n\n")[:3])
    pairs = near_duplicate_pairs([doc("full", WIRE), doc("short", first_half)])
    assert [(k.id, d.id) for k, d, _ in pairs] == [("full", "short")]


def test_build_reports_duplicate_and_counts_it_once(tmp_path, capsys):
    project = make_project(tmp_path / "p", {"wire.txt": WIRE, "wire_copy.md": COPY, "water.txt": OTHER})
    assert build_in_process(project) == 0
    err = capsys.readouterr().err
    assert "seeds/wire_copy.md: warning: near-duplicate of seeds/wire.txt" in err
    data = json.loads((project / "site" / "briefing.json").read_text("utf-8"))
    assert sorted(s["id"] for s in data["sources"]) == ["water", "wire"]
    assert [p["code"] for p in data["problems"]].count("near-duplicate") == 1
    assert {f["source"] for f in data["figures"]} <= {"water", "wire"}
