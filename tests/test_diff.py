"""``briefing diff``: changes in briefing terms, on hand-made data and on two real builds."""

from __future__ import annotations

import json
import shutil

from conftest import build_in_process, make_project, run_briefing
from generator.diff import diff_basis, diff_briefings, format_text, has_changes, load_briefing


def _figure(fid, source, text, value, measures, unit="percent", sentence="s-1"):
    return {"id": fid, "source": source, "text": text, "value": value, "unit": unit, "bound": "=",
            "measures": measures, "year": None, "sentence": f"The share {measures} was {text}.",
            "sentence_id": sentence, "page": f"sources/{source}.html#{sentence}", "group": None}


OLD = {
    "sources": [{"id": "a", "title": "Source A", "page": "sources/a.html"},
                {"id": "gone", "title": "Gone", "page": "sources/gone.html"}],
    "figures": [_figure("f-1", "a", "40%", 40, "of downloads worldwide"),
                _figure("f-2", "a", "300", 300, "engineers in the lab", unit="engineers", sentence="s-2"),
                _figure("f-3", "a", "12%", 12, "of revenue", sentence="s-3")],
    "themes": [{"id": "cost", "title": "Cost", "sources": ["a", "gone"]}],
    "entities": [{"id": "acme", "name": "Acme", "sources": ["a"]}],
    "quotes": [{"id": "q-1", "source": "a", "speaker": "Jane Smith", "text": "We will stay open."}],
}
NEW = {
    "sources": [{"id": "a", "title": "Source A", "page": "sources/a.html"},
                {"id": "b", "title": "Source B", "page": "sources/b.html"}],
    "figures": [_figure("f-1b", "a", "45%", 45, "of downloads worldwide"),
                _figure("f-2", "a", "300", 300, "engineers in the lab", unit="engineers", sentence="s-2"),
                _figure("f-9", "b", "7 million", 7e6, "users", unit="users", sentence="s-9")],
    "themes": [{"id": "cost", "title": "Cost", "sources": ["a", "b"]}],
    "entities": [{"id": "acme", "name": "Acme", "sources": ["a", "b"]},
                 {"id": "beta", "name": "Beta Corp", "sources": ["b"]}],
    "quotes": [],
}


def test_hand_made_pair():
    changes = diff_briefings(OLD, NEW)
    assert [s["id"] for s in changes["sources"]["added"]] == ["b"]
    assert [s["id"] for s in changes["sources"]["removed"]] == ["gone"]
    figures = changes["figures"]
    assert len(figures["changed"]) == 1
    changed = figures["changed"][0]
    assert (changed["old"]["value"], changed["new"]["value"]) == (40, 45)
    assert (changed["old"]["text"], changed["new"]["text"]) == ("40%", "45%")
    assert [f["id"] for f in figures["added"]] == ["f-9"]
    assert [f["id"] for f in figures["removed"]] == ["f-3"]  # 12% of revenue: no new figure measures that
    assert changes["themes"]["membership"] == [{"id": "cost", "title": "Cost", "added": ["b"], "removed": ["gone"]}]
    assert [e["id"] for e in changes["entities"]["added"]] == ["beta"]
    assert changes["entities"]["membership"][0]["added"] == ["b"]
    assert [q["id"] for q in changes["quotes"]["removed"]] == ["q-1"] and changes["quotes"]["added"] == []
    text = format_text(changes)
    assert '~ a: of downloads worldwide: "40%" (40 percent) -> "45%" (45 percent)' in text
    assert "+ b: Source B" in text and "- gone: Gone" in text
    assert '- a: Jane Smith: "We will stay open."' in text


def test_the_basis_a_build_keeps_gives_the_same_diff():
    with_mentions = dict(OLD, entities=[{"id": "acme", "name": "Acme", "mentions": [{"source": "gone"}]}])
    for old in (OLD, with_mentions, {}, {"sources": "not a list", "figures": [{"id": 3}]}):
        for new in (NEW, OLD, {}):
            assert diff_briefings(diff_basis(old), new) == diff_briefings(old, new)


def test_no_changes_and_older_exports_without_entities_or_quotes():
    assert not has_changes(diff_briefings(NEW, NEW))
    assert format_text(diff_briefings(NEW, NEW)) == "No changes.\n"
    old = {k: v for k, v in OLD.items() if k not in ("entities", "quotes")}
    changes = diff_briefings(old, NEW)
    assert [e["id"] for e in changes["entities"]["added"]] == ["acme", "beta"]
    assert changes["quotes"] == {"added": [], "removed": []}
    assert has_changes(diff_briefings({}, {"sources": []})) is False


def test_figures_with_same_value_reworded_are_not_changes():
    old = {"figures": [_figure("f-1", "a", "40%", 40, "of downloads worldwide")]}
    new = {"figures": [_figure("f-1x", "a", "40 percent", 40, "of downloads worldwide")]}
    assert not has_changes(diff_briefings(old, new))


def test_cli_exit_status_and_formats(tmp_path):
    old_dir, new_dir = tmp_path / "old", tmp_path / "new"
    old_dir.mkdir()
    new_dir.mkdir()
    (old_dir / "briefing.json").write_text(json.dumps(OLD), "utf-8")
    (new_dir / "briefing.json").write_text(json.dumps(NEW), "utf-8")
    result = run_briefing(tmp_path, "diff", "old", "new/briefing.json")
    assert result.returncode == 1, result.stderr
    assert "Figures: 1 added, 1 removed, 1 changed" in result.stdout
    result = run_briefing(tmp_path, "diff", "--format", "json", "old", "new")
    assert result.returncode == 1
    assert json.loads(result.stdout)["figures"]["changed"][0]["new"]["value"] == 45
    same = run_briefing(tmp_path, "diff", "old", "old")
    assert (same.returncode, same.stdout) == (0, "No changes.\n")
    missing = run_briefing(tmp_path, "diff", "old", "nowhere")
    assert missing.returncode == 2 and "nowhere" in missing.stderr
    (tmp_path / "bad.json").write_text("[1, 2", "utf-8")
    assert run_briefing(tmp_path, "diff", "bad.json", "old").returncode == 2


SOURCE = """---
title: Acme opens its model
date: 2025-03-01
publisher: Example News
id: acme-report
---
Acme released its new open-source model on Monday.

Downloads of the model reached 40% of the market within a month.

"We will keep everything open," said Jane Smith, chief executive of Acme.

The company employs 300 engineers in its research lab.
"""


def test_two_real_builds_changed_figure_added_source_removed_quote(tmp_path):
    project = make_project(tmp_path / "p", {"acme.md": SOURCE})
    assert build_in_process(project, "--no-cache") == 0
    shutil.copytree(project / "site", tmp_path / "before")
    edited = SOURCE.replace("40%", "45%").replace(
        '"We will keep everything open," said Jane Smith, chief executive of Acme.\n', "")
    (project / "seeds" / "acme.md").write_text(edited, "utf-8")
    (project / "seeds" / "beta.md").write_text(
        "---\ntitle: Beta Corp hires\n---\nBeta Corp hired 120 engineers for its new lab.\n", "utf-8")
    assert build_in_process(project, "--no-cache") == 0
    old, new = load_briefing(tmp_path / "before"), load_briefing(project / "site")
    had_quote = bool(old.get("quotes"))
    changes = diff_briefings(old, new)
    assert diff_briefings(diff_basis(old), new) == changes  # what a build keeps of itself for the next
    assert len(json.dumps(diff_basis(old))) < len(json.dumps(old)) / 3
    assert [s["id"] for s in changes["sources"]["added"]] == ["beta"]
    assert changes["sources"]["removed"] == []
    assert [(c["old"]["text"], c["new"]["text"]) for c in changes["figures"]["changed"]] == [("40%", "45%")]
    # the untouched figure keeps its id, so it is neither added nor removed
    assert all(f["source"] == "beta" for f in changes["figures"]["added"])
    assert changes["figures"]["removed"] == []
    if had_quote:  # quotes come from the quotes stage; older generators had none
        assert [q["speaker"] for q in changes["quotes"]["removed"]] == ["Jane Smith"]
    result = run_briefing(tmp_path, "diff", "before", str(project / "site"))
    assert result.returncode == 1
    changed_line = next(line for line in result.stdout.splitlines() if line.startswith("  ~ acme-report"))
    assert changed_line.index('"40%"') < changed_line.index("->") < changed_line.index('"45%"')
