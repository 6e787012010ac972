"""First checks of the figure extractor (the evaluation set measures it properly)."""

from generator.figures import extract_figures
from generator.models import Document, Paragraph, Sentence


def figures_of(text: str):
    doc = Document(id="d", path="seeds/d.txt", kind="txt", title=None, date=None, publisher=None,
                   author=None, url=None, language=None, paragraphs=(Paragraph(text),),
                   sentences=(Sentence("s-1", text, 0),))
    return extract_figures(doc)


def test_percent_money_and_counts():
    figures = figures_of("China holds 75% of installs, raised $21.9 billion and shipped 276,000 units.")
    assert [(f.value, f.unit) for f in figures] == [(75, "percent"), (21_900_000_000, "USD"), (276_000, "units")]
    assert figures[1].text == "$21.9 billion"


def test_names_and_years_are_not_figures():
    assert figures_of("GPT-4.5 and Llama 3 were released in 2024 by OpenAI and Meta.") == []


def test_bounds():
    found = {f.text: f.bound for f in figures_of("It had more than 5 million users and 200+ models.")}
    assert found["more than 5 million"] == ">"
    assert found["200+"] == ">="


def test_figure_text_is_a_substring_of_its_sentence():
    text = "Revenue rose about 30% to $10 billion, with over 3 million users."
    for figure in figures_of(text):
        assert text[figure.start:figure.start + len(figure.text)] == figure.text


def test_a_number_too_large_for_a_float_is_not_a_figure():
    from generator.figures import _candidates

    found = _candidates("They counted " + "9" * 400 + " grains and 12 jars.")  # 400 digits: infinite as a float
    assert [c["value"] for c in found] == [12.0]
