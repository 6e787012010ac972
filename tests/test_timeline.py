"""Timeline: dates in sentences, relative dates against the source's date, deterministic order."""

from generator.assemble import assemble
from generator.models import Document, Paragraph, Sentence, SourceResult
from generator.timeline import dates_in, find_dates, timeline_records


def test_dates_years_months_days_and_ranges():
    found = dates_in("Sales doubled between 2017–2024, peaked in March 2021, fell on 3 May 2022, "
                     "and on July 9, 2023 the firm (founded 1998) sold 2,020 units for $2025.", None)
    assert found == [("2017", "2024", "2017–2024"), ("2021-03", "", "March 2021"),
                     ("2022-05-03", "", "3 May 2022"), ("2023-07-09", "", "July 9, 2023"), ("1998", "", "1998")]


def test_relative_dates_use_the_source_date():
    assert dates_in("On June 25 this year and last year we met; recently too.", "2025-07-03") == [
        ("2025-06-25", "", "June 25 this year"), ("2024", "", "last year"), ("2025-07-03", "", "recently")]
    assert dates_in("On June 25 this year we met.", None) == []


def test_may_as_a_verb_is_not_a_month():
    assert dates_in("Prices may fall in 2026.", None) == [("2026", "", "2026")]


def _result(doc_id: str, date: str | None, *texts: str) -> SourceResult:
    document = Document(id=doc_id, path=f"seeds/{doc_id}.txt", kind="txt", title=doc_id, date=date, publisher=None,
                        author=None, url=None, language=None, paragraphs=tuple(Paragraph(t) for t in texts),
                        sentences=tuple(Sentence(f"s-{doc_id}-{i}", t, i) for i, t in enumerate(texts)))
    return SourceResult(document=document, figures=(), themes=(), dates=tuple(find_dates(document)))


def test_timeline_order_is_chronological_and_independent_of_input_order():
    a = _result("a", "2024-05-01", "The plant opened in 2019 and grew.", "Output rose in March 2024 sharply.")
    b = _result("b", None, "The first robots shipped in 2019 to buyers.", "From 2010–2015 the lab was small.")
    one = timeline_records(assemble("t", [a, b], (), []))
    two = timeline_records(assemble("t", [b, a], (), []))
    assert one == two
    assert [(r["date"], r["source"]) for r in one] == [
        ("2010", "b"), ("2019", "a"), ("2019", "b"), ("2024-03", "a"), ("2024-05-01", "a")]
    assert one[-1]["published"] and one[0]["end"] == "2015"
    assert one[1]["page"] == "sources/a.html#s-a-0"
