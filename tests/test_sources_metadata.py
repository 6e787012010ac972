"""Metadata: front matter wins; otherwise only what the text states (datelines, credits, bylines)."""

import pytest

from generator.metadata import dateline_date, find_date, is_person_name
from generator.models import SourceFile
from generator.normalise import normalise


def doc_of(text: str, front: dict | None = None, kind: str = "txt"):
    return normalise(SourceFile(path="seeds/t.txt", id="t", kind=kind, text=text, encoding="utf-8",
                                front_matter=front or {}))


BODY = "The harbour reopened to ferries after the storm damage was repaired by the city engineers."


@pytest.mark.parametrize("line,expected", [
    ("July 9, 2025", "2025-07-09"),
    ("2025-07-03 21:51 Last Updated At:21:51", "2025-07-03T21:51"),
    ("Published 3 February 2024", "2024-02-03"),
    ("Updated: Mar. 4, 2023, 10:15 a.m.", "2023-03-04T10:15"),
    ("2024/11/30", "2024-11-30"),
    ("The vote on July 9, 2025 was close.", None),  # a sentence, not a dateline
    ("July 2025", None),  # not a full date
    ("February 30, 2024", None),  # not a date at all
])
def test_datelines(line, expected):
    assert dateline_date(line) == expected


def test_find_date_takes_the_first_stated_date():
    assert find_date("Posted 2 May 2024, updated 2024-05-03") == "2024-05-02"


@pytest.mark.parametrize("text,expected", [
    ("Jane Doe", True), ("Mao Paishou", True), ("Ana de la Cruz", False), ("Ludwig van Beethoven", True),
    ("The Ban Fuels The Boom", False), ("Looking Forward", True), ("Open-Source Dominance", True),
    ("NEWS DESK", False), ("Jane", False),
])
def test_person_name_shape(text, expected):
    # shape only: a name line counts as a byline only where the position says so (see below)
    assert is_person_name(text) is expected


def test_front_matter_wins_over_the_text():
    doc = doc_of("A Title Stated In The Text\n\nMay 1, 2024\n\nBy Sam Stone\n\n" + BODY,
                 front={"title": "Given title", "date": "2023-01-02", "author": "Editor Name", "publisher": "P",
                        "url": "https://x.example", "language": "en"})
    assert (doc.title, doc.date, doc.author, doc.publisher, doc.url, doc.language) == \
        ("Given title", "2023-01-02", "Editor Name", "P", "https://x.example", "en")


def test_nothing_is_invented():
    doc = doc_of(BODY + " It happened in 2024, on a Monday in July.")
    assert (doc.title, doc.date, doc.publisher, doc.author, doc.url, doc.language) == (None,) * 6


def test_title_line_and_dateline_are_read_and_left_out_of_text():
    doc = doc_of("Harbour Reopens After Storm\n\nMarch 2, 2024\n\n" + BODY)
    assert doc.title == "Harbour Reopens After Storm" and doc.date == "2024-03-02"
    assert doc.text == BODY
    assert [(e.text, e.reason) for e in doc.excluded] == [("March 2, 2024", "dateline")]


def test_numbered_section_heading_is_not_a_title():
    assert doc_of("II. Market Outlook For The Region\n\n" + BODY).title is None


def test_publisher_credit_line():
    doc = doc_of(BODY + "\n\nSource\n\nThe Example Times • Jan 5, 2024\n\nWhat the storm left behind")
    assert (doc.publisher, doc.date) == ("The Example Times", "2024-01-05")
    assert doc.text == BODY
    assert {e.reason for e in doc.excluded} == {"page furniture", "credit line", "source citation"}


def test_source_label_names_the_publisher():
    assert doc_of(BODY + "\n\nSource: Reuters").publisher == "Reuters"


def test_byline_with_date():
    doc = doc_of("By Jane Doe and Omar Haddad | 12 May 2024\n\n" + BODY)
    assert doc.author == "Jane Doe and Omar Haddad" and doc.date == "2024-05-12"


def test_name_signed_above_a_disclaimer_is_the_author():
    doc = doc_of(BODY + "\n\nPriya Raman\n\nThe views expressed in this article are those of the author.")
    assert doc.author == "Priya Raman"
    assert ("Priya Raman", "byline") in [(e.text, e.reason) for e in doc.excluded]


def test_a_heading_is_not_mistaken_for_an_author():
    doc = doc_of(BODY + "\n\nLooking Forward\n\nThe harbour will add a second ferry berth next spring.")
    assert doc.author is None
    assert "Looking Forward" in doc.text
