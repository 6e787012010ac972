"""The figure extractor, cross-source grouping, and the figures page / CSV / JSON (issue 4)."""

from __future__ import annotations

import csv
import io
import json
import random
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape

from conftest import ROOT, build_in_process, make_project
from generator.corroborate import _group, conflicts, corroborates, group_figures, unit_kind
from generator.figures import extract_figures
from generator.models import Document, Figure, Paragraph, Sentence
from generator.render import format_number

FIXTURES = Path(__file__).parent / "fixtures" / "figures"


def figures_of(text: str, source: str = "d"):
    doc = Document(id=source, path=f"seeds/{source}.txt", kind="txt", title=None, date=None, publisher=None,
                   author=None, url=None, language=None, paragraphs=(Paragraph(text),),
                   sentences=(Sentence("s-1", text, 0),))
    return extract_figures(doc)


def facts(text: str):
    return [(f.text, f.value, f.unit, f.bound) for f in figures_of(text)]


# --- extractor ----------------------------------------------------------------------------------

@pytest.mark.parametrize("sentence, expected", [
    ("Exports rose 13.5 percent.", [("13.5 percent", 13.5, "percent", "=")]),
    ("The fund raised USD 3bn and €40m.", [("USD 3bn", 3e9, "USD", "="), ("€40m", 4e7, "EUR", "=")]),
    ("It logged 910 million downloads, while its rival has 125 million.",
     [("910 million", 9.1e8, "downloads", "="), ("125 million", 1.25e8, "downloads", "=")]),
    ("Its prices are 17 times higher and the chip is 2x faster.",
     [("17 times", 17, "times", "="), ("2x", 2, "times", "=")]),
    ("One in five voters and one-third of donors agreed.",
     [("One in five", 20, "percent", "="), ("one-third", 33.3333, "percent", "=")]),
    ("Runs used >10²³ FLOPs, some 1e23 or 10^23.", [(">10²³", 1e23, "flops", ">"), ("some 1e23", 1e23, "flops", "~"),
                                                 ("10^23", 1e23, "flops", "=")]),
    ("Growth of 10–20% is likely.", [("10–20%", 10, "percent", "=")]),
    ("It has 200+ partners, <20 rivals and nearly 5,000 staff.",
     [("200+", 200, "partners", ">="), ("<20", 20, "rivals", "<"), ("nearly 5,000", 5000, "staff", "~")]),
    ("The bridge cost less than $6 million.", [("less than $6 million", 6e6, "USD", "<")]),
])
def test_kinds_of_figures(sentence, expected):
    got = facts(sentence)
    assert [(t, u, b) for t, _, u, b in got] == [(t, u, b) for t, _, u, b in expected]
    for (_, value, _, _), (_, want, _, _) in zip(got, expected):
        assert value == pytest.approx(want, rel=1e-4)


@pytest.mark.parametrize("sentence", [
    "GPT-4.5, DeepSeek V3, o3-mini and Llama 3 were tested on H800 chips.",
    "ERNIE 4.5 Turbo launched on July 9, 2025 at 9:30 a.m.",
    "III. Findings", "1. The main results", "We send you the top 5 insights daily.",
    "Call 0800 555 0199 or visit 1600 Pennsylvania Avenue.",
    "Between 2017 and 2024 (2017–2024) the field changed.",
])
def test_not_figures(sentence):
    assert figures_of(sentence) == []


def test_range_keeps_its_upper_end():
    figure = figures_of("Growth of 10–20% is likely.")[0]
    assert (figure.value, figure.high) == (10, 20)


def test_year_and_measures_from_the_sentence():
    figure = figures_of("In 2018, Acme Corp sold 276,000 units in Europe.")[0]
    assert figure.year == 2018 and figure.unit == "units"
    assert figure.subject == "Acme Corp" and figure.measures == "Acme Corp units"


@pytest.mark.parametrize("sentence,measures", [
    ("The council voted on Monday to build 42 kilometres of lanes.", ["kilometres"]),  # a day is no subject
    ("Theresa May won 318 seats.", ["Theresa May seats"]),  # but a surname that is a month is
    ("Acme hit 93% accuracy, nearing Globex Labs’ 95%.", ["Acme accuracy", "Globex Labs"]),  # no echo of the name
    ("Users in India grew (13.5%), overtaking the U.S. (8.9%).", ["India", "U.S."]),
])
def test_measures_phrase(sentence, measures):
    assert [f.measures for f in figures_of(sentence)] == measures


def test_text_is_the_substring_and_ids_are_stable():
    text = "Revenue rose about 30% to $10 billion, with over 3 million users and 3 million users."
    first, second = figures_of(text), figures_of(text)
    assert [f.id for f in first] == [f.id for f in second]
    assert len({f.id for f in first}) == len(first)
    for figure in first:
        assert text[figure.start:figure.start + len(figure.text)] == figure.text


# --- cross-source grouping -----------------------------------------------------------------------

def _figure(source, text, value, unit, bound, subject, measures, year=None):
    return Figure(id=f"f-{source}-{text}", source=source, sentence="s-1", text=text, start=0, value=value,
                  unit=unit, bound=bound, measures=measures, year=year, subject=subject)


def test_synonym_counted_nouns_and_lower_bounds_corroborate():
    a = _figure("a", ">100,000", 1e5, "derivatives", ">", "Qwen", "Qwen derivatives")
    b = _figure("b", "exceeded 100,000", 1e5, "variations", ">", "Qwen", "Qwen variations")
    c = _figure("c", "100,000", 1e5, "variations", "=", "Llama", "Llama variations")
    assert corroborates(a, b) and not corroborates(a, c)
    (group,) = group_figures((a, b, c))
    assert group.kind == "corroborated" and group.sources == ("a", "b")


def test_disjoint_values_of_the_same_measure_conflict():
    a = _figure("a", "900,000", 9e5, "containers", "=", "Nordline Shipping", "Nordline Shipping containers")
    b = _figure("b", "600,000", 6e5, "containers", "=", "Nordline Shipping", "Nordline Shipping containers")
    c = _figure("c", "more than 500,000", 5e5, "containers", ">", "Nordline Shipping", "Nordline Shipping containers")
    assert conflicts(a, b) and not conflicts(a, c)
    other_year = _figure("d", "600,000", 6e5, "containers", "=", "Nordline Shipping", "x", year=2019)
    assert not conflicts(_figure("e", "900,000", 9e5, "containers", "=", "Nordline Shipping", "x", year=2023),
                         other_year)


def _grouped_comparing_every_pair(figures):
    """``group_figures``' rule with nothing left out: each anchor offered every other figure."""
    ordered = sorted(figures, key=lambda f: (unit_kind(f.unit), f.value, f.source, f.id))
    groups, used = [], set()
    for kind, related in (("corroborated", corroborates), ("conflict", conflicts)):
        for anchor in ordered:
            if anchor.id in used:
                continue
            members = [anchor]
            for other in ordered:
                if other.id not in used and other.source not in {m.source for m in members} \
                        and all(related(m, other) for m in members):
                    members.append(other)
            if len(members) > 1:
                used.update(m.id for m in members)
                groups.append(_group(kind, members))
    return tuple(sorted(groups, key=lambda g: (g.kind, -len(g.sources), g.id)))


def test_grouping_compares_only_candidates_yet_finds_every_group():
    # Values at the edges of "within 2%", named and unnamed subjects sharing words or not,
    # counted nouns, currencies, percents, years and bounds: the candidates grouping narrows
    # to must never leave out a figure the rule would accept.
    rng = random.Random(8)
    subjects = ["", "", "Qwen", "Qwen Team", "DeepSeek", "DeepSeek R1", "Nordline Shipping", "Kimi"]
    whats = ["downloads", "market share", "share of downloads", "training costs", "funding", "derivatives",
             "variants", "chip purchases", "spending"]
    units = ["USD", "percent", "derivatives", "variants", "downloads", "users", "times"]
    bases = [100.0, 1e5, 5.6e6, 30.0, -12.0, 0.0]
    figures = []
    for n in range(700):
        subject, unit = rng.choice(subjects), rng.choice(units)
        value = rng.choice(bases) * rng.choice([1, 1, 0.98, 1.02, 1.0204, 0.979, 1.021, 1.03, 0.5, 2])
        measures = " ".join(part for part in (subject, rng.choice(whats)) if part)
        figures.append(Figure(id=f"f{n}", source=f"s{rng.randrange(60)}", sentence="s-1", text=str(value), start=0,
                              value=value, unit=unit, bound=rng.choice(["=", "=", "~", ">", ">=", "<"]),
                              measures=measures, year=rng.choice([None, None, 2023, 2024]), subject=subject))
    expected = _grouped_comparing_every_pair(figures)
    assert len(expected) > 100 and {g.kind for g in expected} == {"corroborated", "conflict"}
    assert group_figures(tuple(figures)) == expected


# --- evaluation set -----------------------------------------------------------------------------

def test_evaluation_set_precision_and_recall():
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "figures_eval.py")],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    sizes = [int(n) for n in re.findall(r"sentences: (\d+)", result.stdout)]
    assert sizes[0] >= 150
    scores = [float(x) for pair in re.findall(r"precision: ([\d.]+)\s+recall: ([\d.]+)", result.stdout) for x in pair]
    assert len(scores) == 4 and min(scores) >= 0.95, result.stdout


def test_evaluation_set_is_not_the_samples_and_holds_traps():
    sample_text = " ".join(p.read_text("utf-8") for p in (ROOT / "seeds").iterdir())
    items = [json.loads(line) for line in (ROOT / "bench" / "figures_eval.jsonl").read_text("utf-8").splitlines()
             if line.strip()]
    assert not [i["s"] for i in items if i["s"] in sample_text]
    traps = [i["s"] for i in items if not i["f"] and re.search(r"\d", i["s"])]
    assert len(traps) >= 30  # numbers that are not figures: versions, years, dates, phone numbers, labels


# --- sample corpus ------------------------------------------------------------------------------

SAMPLE_FIGURES = {  # (text, value, unit, bound) a careful reader lists, by source prefix
    "000": [("75%", 75, "percent", "="), ("13.5%", 13.5, "percent", "="), ("8.9%", 8.9, "percent", "="),
            ("7%", 7, "percent", "="), ("40%", 40, "percent", "="), ("0.2%", 0.2, "percent", "="),
            ("93%", 93, "percent", "="), ("95%", 95, "percent", "="), ("200+", 200, "models", ">="),
            ("300M+", 3e8, "downloads", ">="), (">100,000", 1e5, "derivatives", ">"),
            ("6,000+", 6000, "enterprises", ">="), (">100", 100, "llms", ">"), (">10²³", 1e23, "flops", ">"),
            ("<20", 20, "models", "<"), ("276,000", 276000, "units", "=")],
    "002": [("approximately one-third", 33.3333, "percent", "~")],
    "003": [("less than $6 million", 6e6, "USD", "<"), ("$1 trillion", 1e12, "USD", "=")],
    "004": [("910 million", 9.1e8, "downloads", "="), ("125 million", 1.25e8, "downloads", "="),
            ("exceeded 100,000", 1e5, "variations", ">"), ("one in five", 20, "percent", "="),
            ("17 times", 17, "times", "="), ("about 30%", 30, "percent", "~"),
            ("$21.9 billion", 2.19e10, "USD", "="), ("$10 billion", 1e10, "USD", "=")],
}


@pytest.fixture(scope="module")
def sample_data(sample_site):
    return json.loads((sample_site / "briefing.json").read_text("utf-8"))


def test_sample_corpus_figures(sample_data):
    by_source: dict[str, list] = {}
    for f in sample_data["figures"]:
        by_source.setdefault(f["source"][:3], []).append((f["text"], f["value"], f["unit"], f["bound"]))
    for prefix, expected in SAMPLE_FIGURES.items():
        got = by_source.get(prefix, [])
        for text, value, unit, bound in expected:
            match = [g for g in got if g[0] == text and g[2] == unit and g[3] == bound]
            assert match, f"{prefix}: {text} {unit} {bound} not in {got}"
            assert match[0][1] == pytest.approx(value, rel=1e-4)
    # nothing else: no version number, year, date or boilerplate number taken as a figure
    listed = {(p, t) for p, figures in SAMPLE_FIGURES.items() for t, *_ in figures}
    extra = [(f["source"][:3], f["text"]) for f in sample_data["figures"]
             if (f["source"][:3], f["text"]) not in listed]
    assert extra == [], extra


def test_each_sample_figure_is_marked_in_its_source_text_with_its_details(sample_site, sample_data):
    for f in sample_data["figures"]:
        page = (sample_site / "sources" / f"{f['source']}.html").read_text("utf-8")
        mark = (f'<a class="figure" href="../figures/index.html#{f["id"]}" aria-describedby="tip-{f["id"]}">'
                f'{escape(f["text"])}</a>')
        assert mark in page, f["text"]
        tip = re.search(rf'<span class="figure-tip" role="tooltip" id="tip-{f["id"]}">(.*?)</span></span>', page)
        assert tip, f["text"]
        assert f'<span class="tip-value">{format_number(f["value"])} {escape(f["unit"])}</span>' in tip.group(1)
        assert f'<span class="tip-measures">{escape(f["measures"])}</span>' in tip.group(1)
        cross = {"corroborated": "Also stated by ", "conflict": "Conflicts with ", None: "Stated by this source only"}
        assert f'<span class="tip-cross">{cross[f["group_kind"]]}' in tip.group(1)
    assert {f["group_kind"] for f in sample_data["figures"]} >= {"corroborated", None}


def test_sample_figures_carry_year_measures_and_a_resolving_sentence_anchor(sample_site, sample_data):
    sentences = {(s["id"], x["id"]): x["text"] for s in sample_data["sources"] for x in s["sentences"]}
    for f in sample_data["figures"]:
        assert f["text"] in sentences[(f["source"], f["sentence_id"])]
        assert f["page"] == f"sources/{f['source']}.html#{f['sentence_id']}"
        page = (sample_site / f["page"].split("#")[0]).read_text("utf-8")
        assert f'id="{f["sentence_id"]}"' in page
        assert f["measures"] and f["measures"].strip() == f["measures"]
    years = {f["text"]: f["year"] for f in sample_data["figures"]}
    assert (years["276,000"], years["$21.9 billion"], years["about 30%"], years[">100"]) == (2023, 2018, 2018, 2024)
    assert years["75%"] is None and years["910 million"] is None
    measures = {f["text"]: f["measures"].lower() for f in sample_data["figures"]}
    assert "downloads" in measures["910 million"] and "chatgpt" in measures["910 million"]
    assert "qwen" in measures[">100,000"] and "qwen" in measures["exceeded 100,000"]
    assert "revenue" in measures["$10 billion"] and "accuracy" in measures["93%"]


def test_qwen_figure_is_corroborated_by_both_sources(sample_data):
    figures = {f["id"]: f for f in sample_data["figures"]}
    groups = [g for g in sample_data["figure_groups"] if g["kind"] == "corroborated"
              and {figures[i]["text"] for i in g["figures"]} == {">100,000", "exceeded 100,000"}]
    assert len(groups) == 1
    assert [s[:3] for s in groups[0]["sources"]] == ["000", "004"]
    assert all(figures[i]["group"] == groups[0]["id"] for i in groups[0]["figures"])
    assert not [g for g in sample_data["figure_groups"] if g["kind"] == "conflict"]


# --- figures page, CSV and JSON agree ---------------------------------------------------------

class _FigureTable(HTMLParser):
    """Rows of the figures table: the <tr> attributes and the text of each cell."""

    def __init__(self):
        super().__init__()
        self.rows, self._cell, self._in_table = [], None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id") == "figure-table":
            self._in_table = True
        elif self._in_table and tag == "tr" and "data-value" in attrs:
            self.rows.append({"attrs": attrs, "cells": []})
        elif self._in_table and tag == "td" and self.rows:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self.rows[-1]["cells"].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._in_table = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def test_figures_page_csv_and_json_agree(sample_site, sample_data):
    parser = _FigureTable()
    parser.feed((sample_site / "figures" / "index.html").read_text("utf-8"))
    records = json.loads((sample_site / "figures" / "figures.json").read_text("utf-8"))
    csv_rows = list(csv.DictReader(io.StringIO((sample_site / "figures" / "figures.csv").read_text("utf-8"))))
    assert len(parser.rows) == len(records) == len(csv_rows) == len(sample_data["figures"]) > 0
    for row, record, line, exported in zip(parser.rows, records, csv_rows, sample_data["figures"]):
        assert row["attrs"]["id"] == record["id"] == line["id"] == exported["id"]
        assert row["cells"][0] == record["text"] == line["text"] == exported["text"]
        assert float(row["attrs"]["data-value"]) == record["value"] == float(line["value"]) == exported["value"]
        assert row["attrs"]["data-unit"] == row["cells"][2] == record["unit"] == line["unit"] == exported["unit"]
        assert row["attrs"]["data-bound"] == record["bound"] == line["bound"] == exported["bound"]
        assert row["cells"][3] == record["measures"] == line["measures"] == exported["measures"]
        assert row["attrs"]["data-source"] == record["source"] == line["source"] == exported["source"]
        assert (line["group"] or None) == record["group"] == exported["group"]
        assert (line["themes"].split(";") if line["themes"] else []) == record["themes"] == exported["themes"]


def test_figures_page_is_plain_html_with_external_script_and_a_chart(sample_site):
    html = (sample_site / "figures" / "index.html").read_text("utf-8")
    assert "<table" in html and 'id="figure-filters" hidden' in html
    assert re.findall(r"<script[^>]*>", html) == ['<script src="../assets/figures.js" defer>']
    assert " style=" not in html and "<style" not in html
    assert (sample_site / "assets" / "figures.js").exists()
    chart = re.search(r'<figure class="figure-chart" id="chart-downloads">.*?</figure>', html, re.S)
    assert chart and "<title" in chart.group(0) and "<desc" in chart.group(0) and "<figcaption>" in chart.group(0)
    assert chart.group(0).count("<rect") == 3  # ChatGPT, Alibaba, DeepSeek downloads


def test_source_page_shows_who_else_states_a_figure(sample_site):
    page = next((sample_site / "sources").glob("000_*.html")).read_text("utf-8")
    assert re.search(r"Also stated by</span>: <a href=\"[^\"]*004_[^\"]*\"", page)


# --- unseen sources (fixtures written for these tests) --------------------------------------------

def test_fixture_sources_group_and_conflict(tmp_path):
    seeds = {p.name: p.read_text("utf-8") for p in FIXTURES.glob("*.md")}
    project = make_project(tmp_path / "p", seeds)
    assert build_in_process(project) == 0
    data = json.loads((project / "site" / "briefing.json").read_text("utf-8"))
    texts = {f["text"] for f in data["figures"]}
    assert {"4.1 million", "3.8 million", "about €1.5bn", "more than 2,000", "Roughly one-third", "900,000",
            "approximately €1.5 billion", "600,000", "over 2,000"} <= texts
    assert not texts & {"4.2", "2", "12", "9:30", "2023"}
    figures = {f["id"]: f for f in data["figures"]}
    kinds = {g["kind"]: sorted(figures[i]["text"] for i in g["figures"]) for g in data["figure_groups"]
             if len(g["figures"]) == 2 and "€" in "".join(figures[i]["text"] for i in g["figures"])}
    assert kinds == {"corroborated": ["about €1.5bn", "approximately €1.5 billion"]}
    conflict = [sorted(figures[i]["text"] for i in g["figures"]) for g in data["figure_groups"] if g["kind"] == "conflict"]
    assert ["600,000", "900,000"] in conflict
    jobs = [sorted(figures[i]["text"] for i in g["figures"]) for g in data["figure_groups"] if g["kind"] == "corroborated"]
    assert ["more than 2,000", "over 2,000"] in jobs
    # both visible on the figures page and on each source page
    table = (project / "site" / "figures" / "index.html").read_text("utf-8")
    assert "Conflict" in table and "Corroborated" in table
    for name in ("harbour-report", "harbour-review"):
        page = (project / "site" / "sources" / f"{name}.html").read_text("utf-8")
        assert "Conflicts with" in page and "Also stated by" in page


def test_downloads_are_made_piece_by_piece_with_the_same_bytes_as_whole():
    from generator.figure_views import JSON_PATH, download_record, figure_downloads

    row = {"id": "f1", "source": "a", "source_title": "A \"quoted\"\ntitle", "text": "41%", "value": 41.0,
           "high": None, "unit": "percent", "bound": "=", "measures": "share", "subject": "", "year": 2024,
           "themes": ["cost", "chips"], "group": None, "group_kind": None, "sentence": "é, 41%.", "page": "p#s1"}
    odd = dict(row, id="f3", value=1e23, high=2.5e-7, year=None, themes=["<ü>\\"], subject="Ünïcode \u2014 \t")
    for rows in ([], [row], [row, dict(row, id="f2", themes=[])], [odd, row, odd]):
        made = b"".join(figure_downloads(rows)[JSON_PATH]).decode("utf-8")
        expected = json.dumps([download_record(r) for r in rows], sort_keys=True, indent=2,
                              ensure_ascii=False, allow_nan=False) + "\n"
        # json.dumps' layout; exponents without padding (2.5e-7, where json writes 2.5e-07)
        assert made == re.sub(r"e([+-])0+(\d)", r"e\1\2", expected)
        assert json.loads(made) == [download_record(r) for r in rows]
    csv_rows = list(csv.reader(io.StringIO(b"".join(figure_downloads([row, row])["figures/figures.csv"]).decode())))
    assert len(csv_rows) == 3 and csv_rows[1] == csv_rows[2] and csv_rows[1][2] == row["source_title"]
