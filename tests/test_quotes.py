"""Quotes: attribution before and after the speaker, lead-ins, nested and curly/straight marks,
scare quotes, paraphrases (fixtures, not the samples)."""

from pathlib import Path

import pytest

from generator.entities import load_gazetteer
from generator.models import Document, Paragraph, Sentence
from generator.quotes import find_quotes

FIXTURES = Path(__file__).parent / "fixtures" / "links"


@pytest.fixture(scope="module")
def gazetteer():
    return load_gazetteer(FIXTURES / "gazetteer.yml")


def doc(*paragraphs: str) -> Document:
    """One sentence per paragraph (enough for these cases)."""
    return Document(id="d", path="seeds/d.txt", kind="txt", title=None, date="2024-03-15", publisher=None,
                    author=None, url=None, language=None,
                    paragraphs=tuple(Paragraph(p) for p in paragraphs),
                    sentences=tuple(Sentence(f"s-{i}", p, i) for i, p in enumerate(paragraphs)))


def quotes_of(gazetteer, *paragraphs):
    return [(q.kind, q.speaker, q.role, q.text) for q in find_quotes(doc(*paragraphs), gazetteer)]


def test_quote_before_speaker_curly(gazetteer):
    assert quotes_of(gazetteer, "“We will not sell a single arm below cost,” said Hank Scorpio, chief executive of Globex.") \
        == [("direct", "Hank Scorpio", "chief executive of Globex", "We will not sell a single arm below cost")]


def test_quote_after_speaker_straight(gazetteer):
    assert quotes_of(gazetteer, 'Globex chief scientist Maria Lopez said: "Our arms learn faster than any other arm."') \
        == [("direct", "Maria Lopez", "Globex chief scientist", "Our arms learn faster than any other arm.")]


def test_speaker_then_verb_after_quote(gazetteer):
    assert quotes_of(gazetteer, '"Robots will do the boring work for us," Jane Roe told reporters.')[0][:2] \
        == ("direct", "Jane Roe")


def test_interrupted_and_nested_quote(gazetteer):
    found = quotes_of(gazetteer, "“Speed matters more than price,” Jane Roe said, “and ‘cheap’ is not a strategy anyone should follow.”")
    assert len(found) == 1
    kind, speaker, _, text = found[0]
    assert (kind, speaker) == ("direct", "Jane Roe")
    assert "‘cheap’" in text and text.startswith("Speed matters") and text.endswith("follow.")


def test_nested_straight_inside_straight(gazetteer):
    found = quotes_of(gazetteer, "Hank Scorpio said: \"They called it 'a toy' and then they bought ten thousand.\"")
    assert found == [("direct", "Hank Scorpio", "", "They called it 'a toy' and then they bought ten thousand.")]


def test_lead_in_sentence_in_previous_paragraph(gazetteer):
    found = quotes_of(gazetteer, "Acme Robotics founder Priya Natarajan's verdict was blunt:",
                      "“Nobody outside Springfield will remember Globex in five years.”")
    assert found == [("direct", "Priya Natarajan", "Acme Robotics founder",
                      "Nobody outside Springfield will remember Globex in five years.")]


def test_dash_attribution(gazetteer):
    found = quotes_of(gazetteer, "“Every factory will have an arm by the end of the decade” — Jane Roe, analyst")
    assert found[0][:2] == ("direct", "Jane Roe")


@pytest.mark.parametrize("text", [
    'Analysts call it a "robot winter" for the smaller makers.',
    "The regulator cited “safety concerns” and “market stability” as reasons.",
    'The notice labelled the apps as posing a "high level of information security risk."',
    "“Nobody will remember this in five years.”",  # a quote with no one to say it
])
def test_scare_quotes_and_unattributed_quotes_are_not_quotes(gazetteer, text):
    assert quotes_of(gazetteer, text) == []


def test_paraphrase_with_role_and_pronoun(gazetteer):
    found = quotes_of(gazetteer,
                      "Industry veteran Tom Baker points out that prices fell every year since 2019.",
                      "On Monday, Ana Ruiz, head of sales at Globex, spoke to investors.",
                      "She noted that orders had doubled in the first quarter.")
    assert found[0] == ("paraphrase", "Tom Baker", "Industry veteran", "prices fell every year since 2019")
    assert found[1][:2] == ("paraphrase", "Ana Ruiz")
    assert found[1][3] == "orders had doubled in the first quarter"


def test_speaker_entity_is_linked(gazetteer):
    quote = find_quotes(doc("“We will not sell a single arm below cost,” said Hank Scorpio."), gazetteer)[0]
    assert quote.entity == "hank-scorpio"


@pytest.mark.parametrize("text", [
    "Meta CTO Andrew Bosworth's warning resonates: " * 6,
    "x" * 70 + " A B C D E F G H said",
    "a" * 300 + " Jane Doe",
    "Word " * 40 + "," * 60 + " Jane Doe",
    "U.S. and O’Neil-Smith & Co. A.'s view, " * 5 + "Jane",
    "short",
])
def test_tokens_before_are_the_last_tokens_of_the_window(text):
    """_tokens_before starts near the offset, at a character no token spans, and falls back to the
    whole window when that gives fewer than 4 tokens: the tokens it gives end the window's tokens."""
    from generator.names import WINDOW, tokens
    from generator.quotes import _tokens_before
    for end in range(len(text) + 1):
        window = max(0, end - WINDOW)
        expected = [(t.start + window, t.end + window, t.word, t.possessive) for t in tokens(text[window:end])]
        base, found = _tokens_before(text, end)
        got = [(t.start + base, t.end + base, t.word, t.possessive) for t in found]
        assert len(got) >= min(4, len(expected))
        assert expected[len(expected) - len(got):] == got
