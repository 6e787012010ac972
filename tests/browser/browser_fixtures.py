"""Fixtures of the browser tests (imported by the test modules; not a conftest.py, whose name
would shadow tests/conftest.py): the sample briefing built under a sub-path, served locally, driven in Chromium.

Debian's ``chromium`` (``apt-get install chromium``) is driven by Playwright for Python; Playwright's
own browser download is never used. Without them the tests skip locally, but fail when ``CI`` is set,
so CI can never pass by skipping.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import build_in_process, make_project

CHROMIUM = Path(os.environ.get("BRIEFING_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SUB_PATH = "briefing"  # the site lives at http://127.0.0.1:PORT/briefing/
SIZES = {"phone": (375, 812), "laptop": (1280, 800)}
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    return None


# Module-scoped, not session: the browser's and the server's threads end with the browser tests. While
# any thread runs, the build does not fork (generator/parallel.py), so the tests after them would
# never see the processes a real build uses.
@pytest.fixture(scope="module")
def browser():
    reason = _missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def expect(locator):
    """Playwright's auto-waiting assertions, imported late so that collection works without Playwright."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the standard library's name)
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The sample corpus built with a site_url that has a path, served under that path."""
    project = make_project(tmp_path_factory.mktemp("browser"), sample=True,
                           config_extra=f"\nsite_url: https://briefing.example/{SUB_PATH}/\n")
    assert build_in_process(project) == 0
    www = project / "www"
    www.mkdir()
    shutil.move(str(project / "site"), str(www / SUB_PATH))
    handler = functools.partial(_QuietHandler, directory=str(www))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Site(www / SUB_PATH, f"http://127.0.0.1:{server.server_address[1]}/{SUB_PATH}/")
    server.shutdown()
    server.server_close()
    thread.join()


class Site:
    """The served site: its folder, its base URL and one page of each type."""

    def __init__(self, folder: Path, base: str) -> None:
        self.folder = folder
        self.base = base
        self.origin = "{0.scheme}://{0.netloc}".format(urlsplit(base))

    def url(self, path: str) -> str:
        return self.base + path

    def page_types(self) -> dict[str, str]:
        """One page per type, discovered from the built site, so new page types are covered as
        they land: ``index.html`` is home, ``X/index.html`` the X list, ``X/name.html`` an X page
        (the first by name), and every other top-level page its own type."""
        types: dict[str, str] = {}
        for path in sorted(p.relative_to(self.folder).as_posix() for p in self.folder.rglob("*.html")):
            if path == "index.html":
                kind = "home"
            elif "/" not in path:
                kind = path[:-len(".html")]
            else:
                section, name = path.rsplit("/", 1)
                kind = f"{section}-list" if name == "index.html" else section.replace("/", "-") + "-page"
            types.setdefault(kind, path)
        return types


class PageWatch:
    """Console errors, page errors and every request a page makes, collected while it is open."""

    def __init__(self, page, origin: str) -> None:
        self.errors: list[str] = []
        self.outside: list[str] = []
        page.on("console", lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        page.on("requestfailed", self._request_failed)
        page.on("request", lambda r: None if r.url.startswith(origin + "/") or r.url.startswith("data:")
                else self.outside.append(r.url))

    def _request_failed(self, request) -> None:
        # A request the browser itself cancels because the page navigated away (the favicon of a page
        # left before it loaded) is not a failure of the site; any other failed request is.
        if request.failure != "net::ERR_ABORTED":
            self.errors.append(f"request failed: {request.url} ({request.failure})")


@pytest.fixture()
def new_page(browser, site):
    """A factory of fresh pages (own context) with a PageWatch attached; closed after the test."""
    contexts = []

    def make(width: int = 1280, height: int = 800, **options):
        context = browser.new_context(viewport={"width": width, "height": height}, **options)
        contexts.append(context)
        page = context.new_page()
        return page, PageWatch(page, site.origin)

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
