"""``briefing check`` (exit codes, JSON, no site written) and ``briefing new``."""

from __future__ import annotations

import json

import yaml

from conftest import make_project, run_briefing
from generator.check import briefing_warnings, exit_status
from generator.models import Briefing, Document, Problem, SourceResult, ThemeDef

CLEAN = """---
title: Acme opens its model
date: 2025-03-01
---
Acme released its open-source model on Monday.
"""
NO_METADATA = "Gardeners planted tulips along the river path this spring.\n"
BAD_FRONT_MATTER = "---\ntitle: [unclosed\ndate: 2025-01-01\n---\nText.\n"


def _check(project, *args):
    return run_briefing(project, "check", "--format", "json", *args)


def test_warnings_only_exit_zero_or_one_with_strict(tmp_path):
    project = make_project(tmp_path / "p", {"clean.md": CLEAN, "tulips.txt": NO_METADATA})
    result = _check(project)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    codes = {(p["path"], p["code"]) for p in data["problems"]}
    assert {("seeds/tulips.txt", "no-date"), ("seeds/tulips.txt", "no-theme")} <= codes
    assert data["errors"] == 0 and data["warnings"] == len(data["problems"]) and data["sources"] == 2
    assert not any(path == "seeds/clean.md" and code in ("no-date", "no-title") for path, code in codes)
    strict = _check(project, "--strict")
    assert strict.returncode == 1 and json.loads(strict.stdout)["exit_status"] == 1
    assert not (project / "site").exists() and not list(project.glob(".site*"))


def test_errors_exit_two_with_file_and_line(tmp_path):
    project = make_project(tmp_path / "p", {
        "clean.md": CLEAN,
        "broken.md": BAD_FRONT_MATTER,
        "empty.txt": "",
        "dup.md": CLEAN.replace("date:", "id: clean\ndate:"),
    })
    result = _check(project)
    assert result.returncode == 2
    problems = json.loads(result.stdout)["problems"]
    errors = {p["path"]: p for p in problems if p["severity"] == "error"}
    assert errors["seeds/broken.md"]["line"] is not None
    assert "seeds/empty.txt" in errors
    assert any(p["code"] == "duplicate-id" for p in errors.values())
    human = run_briefing(project, "check")
    assert human.returncode == 2
    assert f"seeds/broken.md:{errors['seeds/broken.md']['line']}: error:" in human.stdout
    assert "error(s)" in human.stdout.splitlines()[-1]
    assert not (project / "site").exists()


def test_clean_project_exits_zero(tmp_path):
    project = make_project(tmp_path / "p", {"clean.md": CLEAN})
    result = run_briefing(project, "check")
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines()[-1].startswith("briefing check: 1 source(s), 0 error(s)")


def test_bad_configuration_is_an_error(tmp_path):
    project = make_project(tmp_path / "p", {"clean.md": CLEAN})
    config = project / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace("- id: cost", "- id: Not A Valid Id"), "utf-8")
    result = _check(project)
    assert result.returncode == 2
    assert json.loads(result.stdout)["problems"][0]["code"] == "config"


def test_briefing_warnings_unit():
    doc = Document(id="x", path="seeds/x.txt", kind="txt", title=None, date=None, publisher=None, author=None,
                   url=None, language=None, paragraphs=(), sentences=())
    briefing = Briefing(title="t", results=(SourceResult(document=doc, figures=(), themes=()),),
                        themes=(ThemeDef(id="a", title="A"),),
                        problems=(Problem("warning", "seeds/x.txt", "matches no theme", code="no-theme"),))
    codes = sorted(p.code for p in briefing_warnings(briefing))
    assert codes == ["no-date", "no-title"]  # no-theme was already reported by the pipeline
    assert exit_status([], strict=True) == 0
    assert exit_status([Problem("warning", "p", "m")], strict=False) == 0
    assert exit_status([Problem("error", "p", "m")], strict=False) == 2


def test_new_scaffolds_safely_quoted_front_matter_and_refuses_to_overwrite(tmp_path):
    project = make_project(tmp_path / "p", {})
    title = 'Why "open" AI: wins? --- #1'
    result = run_briefing(project, "new", title, "--url", "https://example.org/a?b=1&c=2",
                          "--date", "2025-07-09", "--publisher", "Al Jazeera: Opinion")
    assert result.returncode == 0, result.stderr
    created = project / "seeds" / "why-open-ai-wins-1.md"
    text = created.read_text("utf-8")
    front = yaml.safe_load(text.split("---\n")[1])
    assert front == {"title": title, "date": "2025-07-09", "publisher": "Al Jazeera: Opinion",
                     "url": "https://example.org/a?b=1&c=2"}
    created.write_text(text + "Al Jazeera reported the news on Monday.\n", "utf-8")
    before = created.read_bytes()
    again = run_briefing(project, "new", title)
    assert again.returncode == 2 and "already exists" in again.stderr
    assert created.read_bytes() == before
    (project / "seeds" / "taken.txt").write_text("Some text.\n", "utf-8")
    assert run_briefing(project, "new", "Taken").returncode == 2  # same id as taken.txt
    assert run_briefing(project, "new", "Dated", "--date", "July 9").returncode == 2
    check = _check(project)
    mine = [p for p in json.loads(check.stdout)["problems"] if p["path"] == "seeds/why-open-ai-wins-1.md"]
    assert not any(p["severity"] == "error" or p["code"] in ("no-title", "no-date") for p in mine)
