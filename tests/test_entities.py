"""Entities: gazetteer loading, alias merging, parents, candidate names (fixtures, not the samples)."""

from pathlib import Path

import pytest

from generator.config import ConfigError
from generator.entities import (candidate_problems, find_mentions, gazetteer_spans, load_gazetteer,
                                parse_gazetteer)
from generator.models import Document, Paragraph, Sentence
from generator.read import read_source
from generator.normalise import normalise

FIXTURES = Path(__file__).parent / "fixtures" / "links"


@pytest.fixture(scope="module")
def gazetteer():
    return load_gazetteer(FIXTURES / "gazetteer.yml")


def doc(*texts: str, kinds: tuple[str, ...] = ()) -> Document:
    paragraphs = tuple(Paragraph(t, kinds[i] if i < len(kinds) else "text") for i, t in enumerate(texts))
    sentences = tuple(Sentence(f"s-{i}", t, i) for i, t in enumerate(texts))
    return Document(id="d", path="seeds/d.txt", kind="txt", title=None, date=None, publisher=None, author=None,
                    url=None, language=None, paragraphs=paragraphs, sentences=sentences)


def test_aliases_merge_into_one_entity(gazetteer):
    mentions = find_mentions(doc("Globex Corporation and Globex agreed.", "Acme's arm is new."), gazetteer)
    assert [(m.entity, m.text) for m in mentions] == [
        ("globex", "Globex Corporation"), ("globex", "Globex"), ("acme-robotics", "Acme")]


def test_longest_name_wins_and_variants_match(gazetteer):
    text = "The RoboArm-2, the RoboArm 2 and the Robo Arm Two are one model of Acme Robotics."
    spans = gazetteer_spans(text, gazetteer)
    assert [e for _, _, e in spans] == ["roboarm-2", "roboarm-2", "roboarm-2", "acme-robotics"]


def test_parent_is_validated_and_kept(gazetteer):
    by_id = {e.id: e for e in gazetteer}
    assert by_id["roboarm-2"].parent == "acme-robotics"
    with pytest.raises(ConfigError, match="parent"):
        parse_gazetteer([{"name": "X", "kind": "model", "parent": "Nobody"}], "g.yml")
    with pytest.raises(ConfigError, match="kind"):
        parse_gazetteer([{"name": "X", "kind": "planet"}], "g.yml")
    with pytest.raises(ConfigError, match="duplicate"):
        parse_gazetteer([{"name": "X"}, {"name": "x"}], "g.yml")


def test_bad_yaml_names_file_and_line(tmp_path):
    path = tmp_path / "gazetteer.yml"
    path.write_text("- {name: A\n- b: [\n", "utf-8")
    with pytest.raises(ConfigError, match=r"gazetteer\.yml:\d+: not valid YAML"):
        load_gazetteer(path)
    assert load_gazetteer(tmp_path / "missing.yml") == ()
    with pytest.raises(ConfigError, match="not found"):
        load_gazetteer(tmp_path / "missing.yml", required=True)


@pytest.mark.parametrize("text,name,role", [
    ("Globex chief scientist Maria Lopez said so.", "Maria Lopez", "Globex chief scientist"),
    ("Industry veteran Tom Baker disagreed.", "Tom Baker", "Industry veteran"),
    ("The deal was signed by Quality Control Review Board members.", "Quality Control Review Board", ""),
    ("Rival robotics startup Botly raised money.", "Botly", "Rival robotics startup"),
    ("Ana Ruiz, head of sales at Globex, left.", "Ana Ruiz", "head of sales at Globex"),
])
def test_candidates_with_and_without_roles(gazetteer, text, name, role):
    candidates = [(m.text, m.role) for m in find_mentions(doc(text), gazetteer) if not m.entity]
    assert (name, role) in candidates


def test_no_candidates_from_headings_known_names_or_common_words(gazetteer):
    mentions = find_mentions(doc("The Great Robot Migration Is Real", "Chinese AI firms and Globex grew.",
                                 "However, Springfield was quiet."), gazetteer)
    assert [m.text for m in mentions if not m.entity] == []


def test_candidate_problems_are_warnings_with_a_code(gazetteer):
    document = doc("Globex chief scientist Maria Lopez said so.", "Maria Lopez agreed.")
    problems = candidate_problems(document, find_mentions(document, gazetteer))
    assert len(problems) == 1
    assert problems[0].severity == "warning" and problems[0].code == "entity-candidate"
    assert "Maria Lopez" in problems[0].message and "person" in problems[0].message


def test_fixture_source_end_to_end(gazetteer):
    document = normalise(read_source(FIXTURES / "robots.md", FIXTURES, 10 ** 7))
    entities = {m.entity for m in find_mentions(document, gazetteer) if m.entity}
    assert {"acme-robotics", "roboarm-2", "globex", "hank-scorpio", "jane-roe", "springfield"} <= entities


def test_country_prefix_is_not_part_of_a_candidate_name(gazetteer):
    mentions = find_mentions(doc("According to the UK Financial Times, Globex is growing.",
                                 "The Financial Times notes that Globex grew."), gazetteer)
    assert {m.text for m in mentions if not m.entity} == {"Financial Times"}


@pytest.mark.parametrize("text,name", [
    ("Globex must comply with the EU Digital Markets Act by March.", "Digital Markets Act"),
    ("A U.S. Federal Trade Commission filing named Globex.", "Federal Trade Commission"),
    ("Acme hired former US CEO Dana Whitfield last year.", "Dana Whitfield"),
    ("The EU AI Act applies to Acme.", "EU AI Act"),  # "Act" alone is no name: the code stays
    ("Acme shared data with UK Biobank researchers.", "UK Biobank"),
    ("The UN Security Council met Globex.", "UN Security Council"),  # "UN" is part of the name
    ("Springfield Nuclear Power Plant hired Acme.", "Springfield Nuclear Power Plant"),  # a place in full
])
def test_country_codes_before_other_names(gazetteer, text, name):
    assert [m.text for m in find_mentions(doc(text), gazetteer) if not m.entity] == [name]


def test_a_place_known_by_a_code_is_a_modifier():
    gazetteer = parse_gazetteer([{"name": "Saudi Arabia", "kind": "place", "aliases": ["KSA"]}], "g.yml")
    mentions = find_mentions(doc("The KSA Public Investment Fund backs robots."), gazetteer)
    assert [(m.entity, m.text) for m in mentions] == [("saudi-arabia", "KSA"), ("", "Public Investment Fund")]


def test_numbered_labels_are_not_candidate_names(gazetteer):
    mentions = find_mentions(doc("Acme scored 93% on Robot Olympics Level 5 tests."), gazetteer)
    assert [m.text for m in mentions if not m.entity] == []


@pytest.mark.parametrize("text", [
    "Globex entered Clinical Trial Phase 3 in May.",
    "Acme ranks first on the Humanoid Games Stage 2 leaderboard.",
    "Results for Acme are in Appendix Table 4 below.",
    "Globex passed the Autonomous Driving Grade 4.1 audit.",
])
def test_other_numbered_labels_are_not_candidates(gazetteer, text):
    assert [m.text for m in find_mentions(doc(text), gazetteer) if not m.entity] == []


@pytest.mark.parametrize("text,name", [
    ("Acme tested Nimbus Pilot 3 against Globex.", "Nimbus Pilot 3"),  # a version belongs to the name
    ("Globex licensed Vision Core 2.5 from Acme.", "Vision Core 2.5"),
    ("Sensor Hub 2024 data show Acme growing.", "Sensor Hub"),  # a year is not a version
    ("Market Pulse 40% of buyers chose Acme.", "Market Pulse"),  # nor a percentage
    ("Robo Fund 5 million shares went to Globex.", "Robo Fund"),  # nor an amount
])
def test_numbers_after_other_names(gazetteer, text, name):
    assert [m.text for m in find_mentions(doc(text), gazetteer) if not m.entity] == [name]
