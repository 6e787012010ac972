"""End to end: the sample corpus built into a site, checked as a reader and a reviewer would."""

import json
import os
from pathlib import Path

import jsonschema

from generator.export import json_chunks, to_json
from generator.output import utf8_batches
from conftest import make_project, run_briefing
from sitecheck import broken_links, html_pages, reachable_from_home


def test_site_has_every_page_type(sample_site: Path):
    for page in ("index.html", "sources/index.html", "themes/index.html", "figures/index.html",
                 "briefing.json", "briefing.schema.json"):
        assert (sample_site / page).is_file(), page
    data = json.loads((sample_site / "briefing.json").read_text("utf-8"))
    assert len(data["sources"]) == 5
    for source in data["sources"]:
        assert (sample_site / source["page"]).is_file()
        assert source["path"].startswith("seeds/")
    for theme in data["themes"]:
        assert (sample_site / theme["page"]).is_file()


def test_briefing_json_validates_against_its_schema(sample_site: Path):
    data = json.loads((sample_site / "briefing.json").read_text("utf-8"))
    schema = json.loads((sample_site / "briefing.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(data, schema, cls=jsonschema.Draft202012Validator)


def test_briefing_json_is_canonical(sample_site: Path):
    text = (sample_site / "briefing.json").read_text("utf-8")
    assert text == to_json(json.loads(text))  # re-encoding what was read gives the same bytes
    lines = text.splitlines()
    assert lines[:2] == ["{", '  "entities": ['] and lines[-1] == "}"
    # one field of one record per line, so a diff names the record and the field that changed
    assert '      "value": 100000,' in lines or '      "value": 100000.0,' in lines


def test_json_comes_record_by_record_and_pages_in_batches():
    data = {"b": [{"id": n, "text": "é" * n} for n in range(3)], "a": [], "title": "T"}
    chunks = list(json_chunks(data))
    assert b"".join(chunks).decode("utf-8") == to_json(data)
    assert len(chunks) > 3 and max(map(len, chunks)) < len(to_json(data))  # never the whole text at once
    assert list(utf8_batches(iter(["a", "b", "c", "é"]), count=3)) == [b"abc", "é".encode()]
    assert list(utf8_batches(iter([]))) == []


def test_json_layout_keys_sorted_and_values_compact():
    assert to_json({"b": [{"y": [1, 2], "x": {"k": "é"}}], "a": []}) == (
        '{\n  "a": [],\n  "b": [\n    {\n      "x": {"k":"é"},\n      "y": [1,2]\n    }\n  ]\n}\n')


def test_every_figure_links_to_the_sentence_that_states_it(sample_site: Path):
    data = json.loads((sample_site / "briefing.json").read_text("utf-8"))
    assert data["figures"]
    for figure in data["figures"]:
        assert figure["text"] in figure["sentence"]
        page, anchor = figure["page"].split("#")
        assert f'id="{anchor}"' in (sample_site / page).read_text("utf-8")


def test_every_internal_link_and_anchor_resolves(sample_site: Path):
    assert broken_links(sample_site) == []


def test_every_page_is_reachable_from_home(sample_site: Path):
    reachable = reachable_from_home(sample_site)
    orphans = [p.relative_to(sample_site).as_posix() for p in html_pages(sample_site) if p.resolve() not in reachable]
    assert orphans == []


def _tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_builds_are_byte_identical_across_seed_time_zone_and_clock(tmp_path: Path):
    outputs = []
    for n, (seed, tz, epoch) in enumerate([("1", "UTC", "1700000000"), ("4242", "Asia/Tokyo", "1700086400")]):
        project = make_project(tmp_path / f"p{n}", sample=True)
        env = dict(os.environ, PYTHONHASHSEED=seed, TZ=tz, SOURCE_DATE_EPOCH=epoch)
        result = run_briefing(project, "build", env=env)
        assert result.returncode == 0, result.stderr
        outputs.append(_tree(project / "site"))
    assert outputs[0].keys() == outputs[1].keys()
    differing = [name for name in outputs[0] if outputs[0][name] != outputs[1][name]]
    assert differing == []
