"""Hostile or broken sources never break the site, leak, or write outside site/ (issue 6).

Each case is a small seeds/ folder built next to a good source. For every case: the build
completes (exit 0), no page carries a script but ours, a handler, an active URL or an
embedded frame (tests/safety.py), nothing appears outside site/ and the cache, the good
source still has its page, and every bad file is reported by name (briefing.json and stderr).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import build_in_process, make_project
from safety import page_violations, site_violations, tree

GOOD = "The good source says prices fell by 40% in 2024. Its second sentence is plain.\n"
ALLOWED_NEW = ("p/site", "p/.briefing-cache")
PAYLOADS = (
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(2)">',
    '<a href="javascript:alert(3)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCg0KTwvc2NyaXB0Pg==">data</a>',
    '<iframe src="https://evil.example/"></iframe>',
    '<svg onload="alert(5)"><script>alert(6)</script></svg>',
    '<div style="width: expression(alert(7))">css</div>',
    '<object data="evil.swf"></object><embed src="evil.swf">',
    '"><script>alert(8)</script>',
    "'; alert(9); '",
    "</textarea></title></p><script>alert(10)</script>",
    "&lt;script&gt;alert(11)&lt;/script&gt; and &#60;script&#62;alert(12)&#60;/script&#62;",
)
TEMPLATE = "Template {{ 7*7 }} and {{ config }} and {% for x in range(3) %}loop{% endfor %} and {# c #}."
HOSTILE_TEXT = "\n\n".join(f"Payload number {i} is {p} in the text." for i, p in enumerate(PAYLOADS)) + "\n\n" + TEMPLATE

HOSTILE_HTML = """<!doctype html><html><head><title>Hostile <script>alert(20)</script> page</title>
<meta http-equiv="refresh" content="0; url=javascript:alert(21)"><base href="https://evil.example/">
<style>body { background: expression(alert(22)) }</style><script>alert(23)</script>
<link rel="stylesheet" href="https://evil.example/x.css"></head>
<body onload="alert(24)"><article><h1>Hostile page</h1>
<p>The article says exports rose 12% in 2023 <img src=x onerror="alert(25)"> while rivals slowed.</p>
<p>A <a href="javascript:alert(26)">javascript link</a> and a <a href="data:text/html,<script>alert(27)</script>">data link</a>.</p>
<p>An iframe <iframe src="https://evil.example/"></iframe> and an SVG <svg><script>alert(28)</script><circle onclick="alert(29)"/></svg>.</p>
<p style="color: expression(alert(30))">Styled paragraph with {{ 7*7 }} and {% if 1 %}x{% endif %}.</p>
<object data="x.swf"></object><embed src="x.swf"><form action="javascript:alert(31)"><input onfocus="alert(32)" autofocus></form>
<p>Escaped markup &lt;script&gt;alert(33)&lt;/script&gt; stays text.</p>
</article></body></html>
"""

MARKDOWN = """---
title: Markdown tricks
---
A [link](javascript:alert(40)) and an ![image](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoNDEpPg==).

An autolink <javascript:alert(42)> and <http://evil.example/> and a [reference][r].

[r]: javascript:alert(43) "title"

<div onclick="alert(44)">
<script>alert(45)</script>
</div>

    <script>alert(46)</script> in a code block

```html
<iframe src="https://evil.example/"></iframe>
```

*emphasis* and **strong** and `code` stay text.
"""


def fm(**values: str) -> str:
    lines = "".join(f"{k}: {json.dumps(v)}\n" for k, v in values.items())
    return f"---\n{lines}---\nA body sentence that is plain text. Revenue grew 5% last year.\n"


LAUGHS = "---\n" + "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n" + "".join(
    f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n" for p, c in zip("abcdefgh", "bcdefghi")
) + "title: *i\npublisher: *i\n---\nBody text after a billion laughs.\n"

# name -> (seeds, files that must be reported, source ids that must have a page)
CASES: dict[str, tuple[dict[str, str | bytes], set[str], set[str]]] = {
    # injection in text, front matter values and HTML sources
    "text-payloads-txt": ({"hostile.txt": HOSTILE_TEXT}, set(), {"hostile"}),
    "text-payloads-md": ({"hostile.md": HOSTILE_TEXT}, set(), {"hostile"}),
    "front-matter-title": ({"t.md": fm(title=PAYLOADS[0] + PAYLOADS[1])}, set(), {"t"}),
    "front-matter-url-javascript": ({"u.md": fm(url="javascript:alert(1)", title="u")}, set(), {"u"}),
    "front-matter-url-data": ({"d.md": fm(url="data:text/html,<script>alert(1)</script>")}, set(), {"d"}),
    "front-matter-attribute-break": ({"q.md": fm(author='" onmouseover="alert(1)', publisher="' onfocus='x",
                                                 language='en"><script>alert(1)</script>')}, set(), {"q"}),
    "front-matter-date-payload": ({"dt.md": fm(date="<script>alert(1)</script>")}, set(), {"dt"}),
    "front-matter-template": ({"tp.md": fm(title="{{ config }}", publisher="{% raw %}", author="{# x #}")}, set(), {"tp"}),
    "front-matter-odd-types": ({"ty.md": "---\ntitle: [1, {a: b}]\ndate: 99999999999\nid: 12\nauthor: null\n"
                                         "include: {x: 1}\nexclude: 5\n---\nPlain body text here.\n"}, set(), {"12"}),
    "front-matter-billion-laughs": ({"bl.md": LAUGHS}, set(), set()),
    "front-matter-python-tag": ({"py.md": "---\ntitle: !!python/object/apply:os.system ['echo hacked']\n---\nBody.\n"},
                                {"py.md"}, set()),
    "front-matter-malformed": ({"bad.md": "---\ntitle: [unclosed\n---\nBody text.\n"}, {"bad.md"}, set()),
    "html-source-payloads": ({"page.html": HOSTILE_HTML}, set(), {"page"}),
    "html-svg-only": ({"svg.html": '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>'
                                   '<text>Chart label with 40% share.</text></svg>'}, set(), set()),
    "html-no-body": ({"nobody.html": "<html><head><title>No body</title></head></html>"}, set(), set()),
    "html-no-tags": ({"bare.html": "Just text in an html file, growth was 3% in 2022."}, set(), set()),
    "html-deeply-nested": ({"deep.html": "<html><body>" + "<div>" * 5000 + "<p>Deep text says 7% of users.</p>"
                                         + "</div>" * 5000 + "</body></html>"}, set(), set()),
    "html-unclosed-nested": ({"open.html": "<body>" + "<div><span><b>" * 3000 + "Unclosed text 9%."}, set(), set()),
    "markdown-injection": ({"mdx.md": MARKDOWN}, set(), {"mdx"}),
    "template-syntax": ({"tpl.txt": TEMPLATE + "\n\n{% extends 'base.html' %}{% include '/etc/passwd' %}\n"
                                    "{{ ''.__class__.__mro__[1].__subclasses__() }}\n"}, set(), {"tpl"}),
    # path tricks
    "id-dotdot": ({"e1.md": fm(id="../../escaped"), "e2.md": fm(id="../../../../tmp/briefing-escaped")}, set(), set()),
    "id-absolute": ({"abs.md": fm(id="/tmp/briefing-absolute")}, set(), set()),
    "id-nul": ({"nul.md": "---\nid: \"a\\0b\"\ntitle: \"x\\0y\"\n---\nNUL in the id.\n"}, set(), set()),
    "id-backslash": ({"bs.md": fm(id="..\\..\\windows")}, set(), set()),
    "id-reserved-index": ({"ix.md": fm(id="index", title="Reserved index")}, set(), set()),
    "id-reserved-names": ({f"r{i}.md": fm(id=name, title=f"reserved {i}") for i, name in
                           enumerate(["CON", "nul", "aux.txt", "com1", "search", "..", ".git", ".", "sources",
                                      "index.html", "-", "~"])}, set(), set()),
    "reserved-file-names": ({"index.txt": GOOD.replace("good", "index"), "CON.txt": "Con file text.\n",
                             ".git.txt": "Hidden file text.\n", "search.md": "Search file text.\n"}, set(), set()),
    "long-names": ({"x" * 240 + ".txt": "Long file name text.\n", "l.md": fm(id="y" * 5000, title="t" * 20000)},
                   set(), set()),
    "duplicate-id": ({"same.txt": "Plain text one.\n", "same.md": "Plain text two.\n"}, {"same.txt"}, {"same"}),
    "duplicate-id-case": ({"Case.txt": "Plain text one.\n", "case.txt": "Plain text two.\n"}, {"case.txt"}, set()),
    "duplicate-id-front-matter": ({"one.md": fm(id="twin"), "two.md": fm(id="TWIN")}, {"two.md"}, {"twin"}),
    "names-spaces-non-latin": ({"my file.txt": "Spaces in the name.\n", "中文 报告.md": "中文文本。增长了5%。\n",
                                "résumé café.txt": "Accents in the name.\n", "Привет мир.txt": "Cyrillic name.\n",
                                "name'\"<b>.txt": "Quotes and markup in the file name.\n"},
                               set(), {"my-file", "resume-cafe", "Privet-mir"}),
    "nested-folders": ({"sub/dir/deep.txt": "Nested source text.\n"}, set(), {"deep"}),
    # broken bytes
    "invalid-utf8": ({"bad8.txt": b"Valid start \xff\xfe\xfd then \xc3\x28 broken bytes, 4% more.\n"}, set(), {"bad8"}),
    "mixed-encodings": ({"mix.txt": "Caf\u00e9 in UTF-8. ".encode() + "Caf\u00e9 in Latin-1.".encode("latin-1")},
                        set(), {"mix"}),
    "utf16": ({"u16.txt": "UTF-16 text with 5% growth.\n".encode("utf-16")}, set(), {"u16"}),
    "nul-bytes": ({"nulls.txt": b"Text with a NUL\x00 byte in it.\n" * 20}, set(), set()),
    "binary": ({"img.txt": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4}, {"img.txt"}, set()),
    "empty-file": ({"empty.txt": b""}, {"empty.txt"}, set()),
    "whitespace-file": ({"blank.md": b"   \n\n\t\n"}, {"blank.md"}, set()),
    "front-matter-only": ({"fmonly.md": "---\ntitle: Only\n---\n"}, {"fmonly.md"}, set()),
    "unsupported-type": ({"tool.exe": b"MZ\x90\x00", "notes.pdf": b"%PDF-1.4"}, {"tool.exe", "notes.pdf"}, set()),
    "very-long-line": ({"line.txt": ("word " * 20_000) + "and 5% at the end.\n"}, set(), {"line"}),
    "long-number-run": ({"digits.txt": "1" * 2_000 + " and " + "9," * 500 + "% done.\n"}, set(), {"digits"}),
    "control-characters": ({"ctl.txt": "Bell \x07 escape \x1b[31m and bidi \u202e override \ufeff zero\u200bwidth.\n"},
                           set(), {"ctl"}),
    "crlf-and-cr": ({"crlf.txt": b"Line one.\r\nLine two 3%.\rLine three.\r\n"}, set(), {"crlf"}),
}


def _reported(project: Path) -> set[str]:
    data = json.loads((project / "site" / "briefing.json").read_text("utf-8"))
    return {p["path"] for p in data["problems"] if p["severity"] == "error"}


def _check_build(tmp_path: Path, project: Path, before: dict, capsys, bad: set[str], good: set[str]) -> None:
    assert build_in_process(project) == 0
    err = capsys.readouterr().err
    site = project / "site"
    assert site_violations(site) == []
    after = tree(tmp_path)
    added = {p for p in after.keys() - before.keys() if not p.startswith(ALLOWED_NEW)}
    assert added == set(), f"written outside site/: {sorted(added)}"
    assert {p: after[p] for p in before} == before  # nothing outside site/ changed kind or vanished
    assert not list(Path("/tmp").glob("briefing-*"))  # the absolute-path ids did not escape either
    assert (site / "sources" / "good.html").exists(), "the good source must still build"
    for source_id in good:
        assert (site / "sources" / f"{source_id}.html").exists(), source_id
    reported = _reported(project)
    for name in bad:
        assert f"seeds/{name}" in reported, (name, reported)
        assert f"seeds/{name}" in err, f"{name} not reported on stderr"
    pages = {p.relative_to(site).as_posix() for p in site.rglob("*.html")}
    assert {"index.html", "sources/index.html", "search.html"} <= pages
    assert "<h1>Sources</h1>" in (site / "sources" / "index.html").read_text("utf-8")  # not overwritten by a source
    for page in pages:
        assert page.count("/") <= 1 and ".." not in page.split("/"), page


@pytest.mark.parametrize("case", sorted(CASES))
def test_adversarial_case(case, tmp_path, capsys):
    seeds, bad, good = CASES[case]
    project = make_project(tmp_path / "p", dict(seeds, **{"good.txt": GOOD}))
    before = tree(tmp_path)
    _check_build(tmp_path, project, before, capsys, bad, good)


def test_hostile_text_is_shown_as_text(tmp_path, capsys):
    """The payloads are not dropped silently either: the reader sees them, escaped."""
    project = make_project(tmp_path / "p", {"hostile.txt": HOSTILE_TEXT, "good.txt": GOOD})
    assert build_in_process(project) == 0
    page = (project / "site" / "sources" / "hostile.html").read_text("utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "{{ 7*7 }}" in page and "{% for x in range(3) %}" in page and "{# c #}" in page


def test_symlink_outside_seeds_is_reported_not_followed(tmp_path, capsys):
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "passwords.txt").write_text("TOP-SECRET-TOKEN sits in this file.\n", "utf-8")
    project = make_project(tmp_path / "p", {"good.txt": GOOD})
    (project / "seeds" / "leak.txt").symlink_to(secret / "passwords.txt")
    (project / "seeds" / "leakdir").symlink_to(secret, target_is_directory=True)
    (project / "notes.txt").write_text("PROJECT-PRIVATE text outside seeds.\n", "utf-8")
    (project / "seeds" / "inproject.txt").symlink_to(project / "notes.txt")
    before = tree(tmp_path)
    _check_build(tmp_path, project, before, capsys, {"leak.txt", "inproject.txt", "leakdir"}, set())
    for path in (project / "site").rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert b"TOP-SECRET-TOKEN" not in content and b"PROJECT-PRIVATE" not in content, path


def test_symlink_inside_seeds_is_read(tmp_path, capsys):
    project = make_project(tmp_path / "p", {"good.txt": GOOD, "orig/real.txt": "Real text inside seeds.\n"})
    (project / "seeds" / "alias.txt").symlink_to(project / "seeds" / "orig" / "real.txt")
    assert build_in_process(project) == 0
    assert (project / "site" / "sources" / "alias.html").exists()
    first = json.loads((project / "site" / "briefing.json").read_text("utf-8"))["sources"]
    # From the cache, the link and the file it leads to are still two sources (their cache keys
    # were once made from the resolved path: the second build took one result for both).
    assert build_in_process(project) == 0
    again = json.loads((project / "site" / "briefing.json").read_text("utf-8"))["sources"]
    assert [s["id"] for s in again] == [s["id"] for s in first] == ["alias", "good", "real"]


def test_file_over_the_size_limit_is_reported_not_read(tmp_path, capsys, monkeypatch):
    """A 50 MB source (over the default 20 MB limit) is reported by name and never read whole."""
    project = make_project(tmp_path / "p", {"good.txt": GOOD})
    big = project / "seeds" / "huge.txt"
    with open(big, "wb") as handle:
        line = b"A sentence of a very large file that says 5% again and again.\n"
        handle.write(line * (50 * 1024 * 1024 // len(line) + 1))
    assert big.stat().st_size > 50 * 1024 * 1024
    reads: list[int] = []
    real_read_bytes, real_open = Path.read_bytes, open

    def read_bytes(self):
        if self.name == "huge.txt":
            reads.append(-1)
        return real_read_bytes(self)

    class Counted:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def read(self, n=-1):
            data = self.handle.read(n)
            reads.append(len(data))
            return data

        def __getattr__(self, name):
            return getattr(self.handle, name)

    def counting_open(file, *args, **kwargs):
        handle = real_open(file, *args, **kwargs)
        return Counted(handle) if str(file).endswith("huge.txt") else handle

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    monkeypatch.setattr("builtins.open", counting_open)
    before = tree(tmp_path)
    _check_build(tmp_path, project, before, capsys, {"huge.txt"}, set())
    assert -1 not in reads and sum(reads) <= 20 * 1024 * 1024 + 1, "the oversized file was read whole"


def test_file_that_disappears_during_the_build(tmp_path, capsys, monkeypatch):
    """Discovered, then deleted before it is read: reported by name, the rest builds."""
    import generator.build as build_module

    project = make_project(tmp_path / "p", {"good.txt": GOOD, "gone.txt": "Soon gone.\n"})
    real_discover = build_module.discover

    def discover_then_delete(seeds_dir):
        found = real_discover(seeds_dir)
        (seeds_dir / "gone.txt").unlink()
        return found

    monkeypatch.setattr(build_module, "discover", discover_then_delete)
    before = tree(tmp_path)
    before.pop("p/seeds/gone.txt")
    _check_build(tmp_path, project, before, capsys, {"gone.txt"}, set())


def test_seeds_are_never_modified(tmp_path, capsys):
    """seeds/ is only read: every byte, mode and name is the same after a build."""
    import hashlib
    import stat

    project = make_project(tmp_path / "p", dict(CASES["text-payloads-txt"][0], **{"good.txt": GOOD}), sample=True)
    seeds = project / "seeds"
    for path in seeds.iterdir():
        path.chmod(0o444)
    seeds.chmod(0o555)

    def snapshot():
        return {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), stat.S_IMODE(p.stat().st_mode),
                         p.stat().st_mtime_ns) for p in sorted(seeds.iterdir())}

    first = snapshot()
    try:
        assert build_in_process(project) == 0
        assert build_in_process(project) == 0
        assert snapshot() == first
        assert stat.S_IMODE(seeds.stat().st_mode) == 0o555
    finally:
        seeds.chmod(0o755)


def test_checker_catches_what_it_must(tmp_path):
    """The page checker itself: each forbidden construct is found (so a clean result means something)."""
    from safety import CSP

    head = f'<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="{CSP}"></head><body>'
    clean = head + '<p>ok</p><script src="assets/x.js"></script></body></html>'
    assert page_violations(clean, "index.html") == []
    bad_bodies = ["<script>alert(1)</script>", '<script src="https://evil.example/x.js"></script>',
                  '<img src="x" onerror="alert(1)">', '<a href="javascript:alert(1)">x</a>',
                  '<a href=" JaVaScRiPt:alert(1)">x</a>', '<img src="data:image/svg+xml,x">',
                  '<iframe src="x"></iframe>', '<object data="x"></object>', '<embed src="x">',
                  '<svg><script>alert(1)</script></svg>', '<svg><circle onload="x"/></svg>', '<p style="x:expression(1)">x</p>', '<div><p>unclosed</div>',
                  '<script src="../../evil/x.js"></script>']
    for body in bad_bodies:
        assert page_violations(head + body + "</body></html>", "sources/x.html"), body
    assert page_violations(clean.replace(CSP, "default-src *"), "index.html")


def test_every_template_is_autoescaped():
    """Safe by construction: one environment, autoescape on for every template, no way to switch it off."""
    from conftest import ROOT
    from generator.render import make_environment

    env = make_environment(ROOT / "templates")
    names = [n for n in env.list_templates() if n.endswith(".html")]
    assert names
    for name in names:
        source = (ROOT / "templates" / name).read_text("utf-8")
        for escape_hatch in ("|safe", "| safe", "autoescape false", "autoescape False", "Markup"):
            assert escape_hatch not in source, (name, escape_hatch)
        template = env.get_template(name)
        assert template.environment.autoescape is True, name
    assert env.from_string("{{ x }}").render(x="<script>") == "&lt;script&gt;"


def test_sample_site_pages_carry_the_csp_and_no_inline_code(sample_site):
    """Every page of the real site: the CSP meta, no inline <script> bodies, no style= attributes."""
    assert site_violations(sample_site) == []


def test_csp_forbids_inline_scripts_and_outside_hosts():
    from conftest import ROOT

    base = (ROOT / "templates" / "base.html").read_text("utf-8")
    line = next(l for l in base.splitlines() if "Content-Security-Policy" in l)
    production = line.replace("{% if site.preview %} 'unsafe-inline'{% endif %}", "")
    assert "unsafe-inline" not in production and "unsafe-eval" not in production and "*" not in production
    assert "default-src 'self'" in production and "script-src 'self'" in production
    assert "object-src 'none'" in production and "base-uri 'none'" in production
