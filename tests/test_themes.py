import pytest

from generator.config import ConfigError, parse_themes
from generator.models import Document, Paragraph, Sentence, ThemeDef
from generator.themes import assign_themes, cue_pattern


@pytest.mark.parametrize("cue,text,hit", [
    ("open source", "China's Open-Source models", True),
    ("export control", "new export controls on chips", True),
    ("chip", "a chipmaker", False),
    ("cost", "low-cost models", True),
])
def test_cue_patterns(cue, text, hit):
    assert bool(cue_pattern(cue).search(text)) is hit


def test_assignment_is_per_sentence():
    sentences = (Sentence("s-1", "Chips are scarce.", 0), Sentence("s-2", "Nothing here.", 0))
    doc = Document(id="d", path="p", kind="txt", title=None, date=None, publisher=None, author=None,
                   url=None, language=None, paragraphs=(Paragraph("x"),), sentences=sentences)
    matches = assign_themes(doc, (ThemeDef("chips", "Chips", cues=("chip",)),))
    assert [(m.theme, m.sentence) for m in matches] == [("chips", "s-1")]


@pytest.mark.parametrize("raw", [
    "not a list",
    [{"id": "Bad Id", "cues": ["x"]}],
    [{"id": "a", "cues": "x"}],
    [{"id": "a", "cues": ["x"]}, {"id": "a", "cues": ["y"]}],
])
def test_bad_taxonomy_is_rejected(raw):
    with pytest.raises(ConfigError):
        parse_themes(raw)


def test_overlapping_cues_of_different_themes_are_each_found():
    """One alternation over every cue only says whether to look further: a cue inside another
    theme's cue, or a later cue of the same theme matching first in the text, still counts."""
    sentences = (Sentence("s-1", "New export controls hit chips and prices.", 0),
                 Sentence("s-2", "Export-control talk.", 0), Sentence("s-3", "Nothing here.", 0))
    doc = Document(id="d", path="p", kind="txt", title=None, date=None, publisher=None, author=None,
                   url=None, language=None, paragraphs=(Paragraph("x"),), sentences=sentences)
    themes = (ThemeDef("policy", "Policy", cues=("export control",)),
              ThemeDef("control", "Control", cues=("control", "export")),
              ThemeDef("cost", "Cost", cues=("price", "chip")),
              ThemeDef("empty", "Empty", cues=()))
    matches = assign_themes(doc, themes)
    assert [(m.theme, m.sentence, m.cue) for m in matches] == [
        ("policy", "s-1", "export control"), ("control", "s-1", "control"), ("cost", "s-1", "price"),
        ("policy", "s-2", "export control"), ("control", "s-2", "control")]
