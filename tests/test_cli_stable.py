"""Stable identity across builds, and HTML that diffs well (compare two builds' outputs)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from conftest import build_in_process, make_project

UNRELATED = "---\ntitle: Tulips by the river\n---\nGardeners planted tulips along the river path this spring.\n"


def _data(project: Path) -> dict:
    return json.loads((project / "site" / "briefing.json").read_text("utf-8"))


def _identity(data: dict) -> dict[str, dict]:
    """Per source: its page URL, its sentence anchors and its figure ids."""
    figures: dict[str, set[str]] = {}
    for figure in data["figures"]:
        figures.setdefault(figure["source"], set()).add(figure["id"])
    return {s["id"]: {"page": s["page"], "sentences": [x["id"] for x in s["sentences"]],
                      "figures": figures.get(s["id"], set())} for s in data["sources"]}


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def test_adding_removing_and_renaming_keep_every_existing_identity(tmp_path):
    project = make_project(tmp_path / "p", sample=True, seeds={
        "renamed-later.md": "---\ntitle: Acme\nid: acme-report\n---\nAcme released its model on Monday.\n\n"
                            "Downloads reached 40% of the market within a month.\n"})
    assert build_in_process(project) == 0
    before = _identity(_data(project))
    assert before["acme-report"]["figures"]

    (project / "seeds" / "tulips.md").write_text(UNRELATED, "utf-8")
    assert build_in_process(project) == 0
    added = _identity(_data(project))
    assert set(added) == set(before) | {"tulips"}
    assert {k: added[k] for k in before} == before

    victim = sorted((project / "seeds").glob("0*.txt"))[0]
    victim.unlink()
    assert build_in_process(project) == 0
    removed = _identity(_data(project))
    assert {k: removed[k] for k in removed if k != "tulips"} == {k: v for k, v in before.items() if k != victim.stem}

    (project / "seeds" / "renamed-later.md").rename(project / "seeds" / "acme-2025.md")
    assert build_in_process(project) == 0
    assert _identity(_data(project))["acme-report"] == before["acme-report"]


def test_figure_ids_and_anchors_survive_edits_elsewhere_in_the_source(tmp_path):
    text = ("---\ntitle: Acme\n---\nAcme released its model on Monday.\n\n"
            "Downloads reached 40% of the market within a month.\n\nThe company employs 300 engineers.\n")
    project = make_project(tmp_path / "p", {"acme.md": text})
    assert build_in_process(project) == 0
    before = _data(project)
    edited = text.replace("Acme released its model on Monday.", "Acme quietly released a new model on Tuesday.") \
        + "\nA closing paragraph about 12 new offices was added.\n"
    (project / "seeds" / "acme.md").write_text(edited, "utf-8")
    assert build_in_process(project) == 0
    after = _data(project)
    kept = {f["text"]: f["id"] for f in before["figures"]}
    now = {f["text"]: f["id"] for f in after["figures"]}
    assert kept and all(now.get(t) == fid for t, fid in kept.items())
    old_anchors = {s["text"]: s["id"] for s in before["sources"][0]["sentences"]}
    new_anchors = {s["text"]: s["id"] for s in after["sources"][0]["sentences"]}
    assert all(new_anchors[t] == a for t, a in old_anchors.items() if t in new_anchors)


def test_adding_a_source_changes_only_the_pages_that_list_it(tmp_path):
    project = make_project(tmp_path / "p", sample=True)
    assert build_in_process(project, "--no-cache") == 0
    first = _files(project / "site")
    (project / "seeds" / "tulips.md").write_text(UNRELATED, "utf-8")
    assert build_in_process(project, "--no-cache") == 0
    second = _files(project / "site")
    assert set(second) - set(first) == {"sources/tulips.html"}
    changed = sorted(p for p in first if first[p] != second.get(p))
    # pages about existing sources, themes, entities and figures are byte-identical: no counters, no
    # timestamps (index pages legitimately list the new source, e.g. as matching no theme)
    unexpected = [p for p in changed if re.match(r"((sources|themes|entities)/(?!index)|figures/)", p)]
    assert unexpected == [], changed
    assert {"index.html", "sources/index.html", "briefing.json"} <= set(changed)


def test_html_has_one_block_element_per_line(sample_site):
    """Sibling blocks (list items, paragraphs, rows, sections) each start a line, so diffs are per entry."""
    repeated = re.compile(r"<(li|p|tr|section|h[1-6]|div|article)[\s>].*<\1[\s>]")
    offenders = []
    for page in sorted(sample_site.rglob("*.html")):
        for number, line in enumerate(page.read_text("utf-8").splitlines(), start=1):
            if repeated.search(line):
                offenders.append(f"{page.relative_to(sample_site)}:{number}: {line[:120]}")
    assert offenders == []


def test_no_build_time_in_output(tmp_path, sample_site):
    copy = tmp_path / "copy"
    shutil.copytree(sample_site, copy)
    texts = "\n".join(p.read_text("utf-8") for p in copy.rglob("*.html"))
    assert not re.search(r"\b20\d\d-\d\d-\d\d[T ]\d\d:\d\d:\d\d", texts)  # no build timestamps
    assert not re.search(r"(?i)generated (on|at) ", texts)
