"""What a built page may contain: our own scripts only, no handlers, no active URLs, well-formed markup.

Used by the adversarial and property-based tests (tests/test_adversarial.py, tests/test_properties.py):
whatever a source says, every page must pass ``page_violations``.
"""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path
from posixpath import normpath

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Inline <svg> is allowed (our charts); scripts and handlers inside it are caught like anywhere else.
FORBIDDEN_TAGS = {"iframe", "object", "embed", "frame", "frameset", "applet", "base", "style", "foreignobject"}
URL_ATTRS = {"href", "src", "action", "formaction", "srcset", "poster", "data", "xlink:href", "background", "cite"}
ACTIVE_SCHEME = re.compile(r"^\s*(javascript|data|vbscript|file|blob)\s*:", re.I)
OUR_SCRIPT_DIRS = ("assets/", "search/")
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "worker-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'")


class _Checker(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page  # site-relative path, to resolve script src
        self.problems: list[str] = []
        self.stack: list[str] = []
        self.in_script = False
        self.csp: list[str] = []

    def _attrs(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            name = name.lower()
            if name.startswith("on"):
                self.problems.append(f"<{tag}> has handler {name}=")
            if name == "style":
                self.problems.append(f"<{tag}> has style=")
            if name in URL_ATTRS and value is not None:
                cleaned = "".join(ch for ch in value if ch >= " ")
                ours = tag == "link" and dict(attrs).get("rel") == "icon" and value == "data:,"  # no favicon request
                if ACTIVE_SCHEME.match(cleaned) and not ours:
                    self.problems.append(f"<{tag}> {name}={value[:60]!r}")
        if tag == "meta" and (dict(attrs).get("http-equiv") or "").lower() == "content-security-policy":
            self.csp.append(dict(attrs).get("content") or "")
        if tag == "meta" and (dict(attrs).get("http-equiv") or "").lower() == "refresh":
            self.problems.append("<meta http-equiv=refresh>")

    def handle_starttag(self, tag, attrs):
        tag = tag.lower()
        self._attrs(tag, attrs)
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"forbidden <{tag}>")
        if tag == "script":
            src = dict(attrs).get("src")
            if not src:
                self.problems.append("inline <script> (no src)")
            else:
                resolved = normpath(os.path.join(os.path.dirname(self.page), src))
                if not resolved.startswith(OUR_SCRIPT_DIRS):
                    self.problems.append(f"<script src={src!r}> is not ours")
            self.in_script = True
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        tag = tag.lower()
        self._attrs(tag, attrs)
        if tag in FORBIDDEN_TAGS or tag == "script":
            self.problems.append(f"forbidden <{tag}/>")

    def handle_endtag(self, tag):
        tag = tag.lower()
        if tag == "script":
            self.in_script = False
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"unbalanced </{tag}> (open: {'/'.join(self.stack[-3:])})")
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()

    def handle_data(self, data):
        if self.in_script and data.strip():
            self.problems.append("<script> with an inline body")

    def handle_comment(self, data):
        pass


def page_violations(html: str, page: str) -> list[str]:
    """Everything unsafe or malformed in one page (``page``: its site-relative path)."""
    checker = _Checker(page)
    checker.feed(html)
    checker.close()
    problems = list(checker.problems)
    if checker.stack:
        problems.append(f"unclosed elements: {'/'.join(checker.stack)}")
    if not html.lstrip().lower().startswith("<!doctype html>"):
        problems.append("no doctype")
    if checker.csp != [CSP]:
        problems.append(f"CSP meta missing or different: {checker.csp}")
    return problems


def site_violations(site: Path) -> list[str]:
    """``page_violations`` over every HTML page of a built site, each prefixed by the page."""
    found = []
    pages = sorted(site.rglob("*.html"))
    assert pages, f"no pages in {site}"
    for path in pages:
        rel = path.relative_to(site).as_posix()
        found += [f"{rel}: {p}" for p in page_violations(path.read_text("utf-8"), rel)]
    return found


def tree(root: Path) -> dict[str, str]:
    """Every path under ``root`` (not following links) -> its kind, to compare before/after a build."""
    result = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            kind = "link" if path.is_symlink() else "dir" if path.is_dir() else "file"
            result[path.relative_to(root).as_posix()] = kind
    return result
