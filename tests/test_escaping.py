"""Source text is data: never executed, evaluated as a template or turned into markup."""

import json

from conftest import build_in_process, make_project

HOSTILE = (
    "Attack sentence with <script>alert('x')</script> inside it.\n\n"
    "Template {{ 7*7 }} and {% raw %} and {# comment #} stay literal.\n\n"
    "A [markdown link](http://evil.example/) and ![img](http://evil.example/i.png) stay text.\n"
)


def test_hostile_text_appears_literally(tmp_path):
    project = make_project(tmp_path, {"hostile.txt": HOSTILE})
    assert build_in_process(project) == 0
    page = (project / "site" / "sources" / "hostile.html").read_text("utf-8")
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "{{ 7*7 }}" in page and "49" not in page
    assert "{% raw %}" in page and "{# comment #}" in page
    assert "[markdown link](http://evil.example/)" in page
    assert 'href="http://evil.example/' not in page
    data = json.loads((project / "site" / "briefing.json").read_text("utf-8"))
    assert "<script>alert('x')</script>" in data["sources"][0]["text"]


def test_hostile_front_matter_is_escaped(tmp_path):
    seed = "---\ntitle: \"<img src=x onerror=alert(1)>\"\npublisher: \"{{ config }}\"\n---\nPlain body text here.\n"
    project = make_project(tmp_path, {"fm.md": seed})
    assert build_in_process(project) == 0
    page = (project / "site" / "sources" / "fm.html").read_text("utf-8")
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "{{ config }}" in page
