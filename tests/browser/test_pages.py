"""Every page type in a real browser: layout at phone and laptop sizes, accessibility, no outside
request, keyboard navigation, search, and reading without JavaScript."""

from __future__ import annotations

import re

import pytest

from browser_fixtures import AXE, SIZES, artifacts, browser, expect, new_page, site  # noqa: F401  (fixtures)


def _open(page, watch, url: str) -> None:
    page.goto(url, wait_until="load")


@pytest.mark.parametrize("size", sorted(SIZES))
def test_every_page_type_fits_and_loads_cleanly(site, new_page, artifacts, size):
    """No horizontal scroll, no console error, no request off the local server; screenshots saved."""
    width, height = SIZES[size]
    problems = []
    types = site.page_types()
    assert {"home", "sources-page", "themes-page", "search"} <= set(types), types
    for kind, path in sorted(types.items()):
        page, watch = new_page(width, height)
        _open(page, watch, site.url(path))
        overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            wide = page.evaluate("""() => Array.from(document.querySelectorAll('body *'))
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                .slice(0, 3).map(e => e.tagName + '.' + e.className)""")
            problems.append(f"{kind} ({path}) at {width}x{height}: scrolls sideways by {overflow}px: {wide}")
        problems += [f"{kind} ({path}): {e}" for e in watch.errors]
        problems += [f"{kind} ({path}): request leaves the server: {u}" for u in watch.outside]
        page.screenshot(path=str(artifacts / f"{kind}-{width}x{height}.png"), full_page=True)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violations(site, new_page, scheme):
    """axe-core on every page type, in the light and the dark scheme."""
    problems = []
    for kind, path in sorted(site.page_types().items()):
        page, watch = new_page(1280, 800, color_scheme=scheme, bypass_csp=True)  # axe is injected inline
        _open(page, watch, site.url(path))
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        for violation in result["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [n["target"] for n in violation["nodes"][:3]]
                problems.append(f"{kind} ({path}) [{scheme}]: {violation['id']} ({violation['impact']}): "
                                f"{violation['help']} at {targets}")
    assert not problems, "\n".join(problems)


def _tab_to(page, matches, limit: int = 400) -> str:
    """Press Tab until the focused element's href matches; returns that href."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        href = page.evaluate("document.activeElement && document.activeElement.getAttribute('href')")
        if href and matches(href):
            outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none", f"focused link {href} shows no focus outline"
            return href
    raise AssertionError("no matching link reachable with Tab")


def test_keyboard_home_to_theme_to_sentence_and_back(site, new_page):
    page, watch = new_page(1280, 800)
    _open(page, watch, site.url("index.html"))
    _tab_to(page, lambda h: re.fullmatch(r"themes/[^/]+\.html", h) is not None and not h.endswith("index.html"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/themes/(?!index)[^/]+\.html$"))
    theme_url = page.url
    _tab_to(page, lambda h: re.search(r"sources/[^/]+\.html#s-", h) is not None)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/sources/[^/]+\.html#s-"))
    target = page.evaluate("document.querySelector(':target') && document.querySelector(':target').textContent")
    assert target and target.strip(), "the sentence the link points at is not on the page"
    # Back through the browser's history, as a reader would. (The Alt+Left shortcut is the browser's,
    # not the site's; headless builds honour it late or not at all, which made this test flaky.)
    page.go_back()
    assert page.url == theme_url
    page.go_back()
    assert page.url == site.url("index.html")
    assert not watch.errors and not watch.outside


def test_search_finds_an_entity_and_follows_it(site, new_page):
    page, watch = new_page(375, 812)
    _open(page, watch, site.url("index.html"))
    page.focus("#site-search")
    page.keyboard.type("DeepSeek")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\.html\?q=DeepSeek$"))
    page.wait_for_selector("#search-results li")
    kinds = page.locator("#search-results .result-kind").all_text_contents()
    assert {"Entity", "Source"} <= set(kinds), kinds
    entity = page.locator("#search-results li", has=page.locator(".kind-entity")).first.locator("a")
    entity.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/entities/[^/]+\.html$"))
    assert "DeepSeek" in page.locator("h1").inner_text()
    assert not watch.errors and not watch.outside, (watch.errors, watch.outside)


def test_search_results_show_each_page_type(site, new_page):
    page, watch = new_page(1280, 800)
    _open(page, watch, site.url("search.html?q=open"))
    page.wait_for_selector("#search-results li")
    kinds = set(page.locator("#search-results .result-kind").all_text_contents())
    assert {"Source", "Theme"} <= kinds, kinds
    page.fill("#search-query", "percent")
    page.press("#search-query", "Enter")
    expect(page.locator("#search-status")).to_contain_text("percent")
    assert "Figure" in page.locator("#search-results .result-kind").all_text_contents()
    page.fill("#search-query", "zzzznotaword")
    page.press("#search-query", "Enter")
    expect(page.locator("#search-status")).to_contain_text("No results")
    assert not watch.errors and not watch.outside


def test_home_and_source_pages_readable_without_javascript(site, new_page):
    types = site.page_types()
    for path in ("index.html", types["sources-page"]):
        page, watch = new_page(375, 812, java_script_enabled=False)
        _open(page, watch, site.url(path))
        main = page.locator("main").inner_text()
        assert page.locator("h1").count() == 1 and len(main) > 500, path
        assert not watch.outside
    assert page.locator(".sentence").count() > 10


def test_figure_detail_shows_on_keyboard_focus(site, new_page, artifacts):
    """A figure in source text shows its value, unit and what it measures when focused, and the detail is the
    link's accessible description."""
    page, watch = new_page(375, 812)
    _open(page, watch, site.url(site.page_types()["sources-page"]))
    figure = page.locator("a.figure").first
    tip = page.locator("#" + figure.get_attribute("aria-describedby"))
    assert not tip.is_visible()
    figure.focus()
    assert tip.is_visible() and tip.inner_text().strip()
    box = tip.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    page.screenshot(path=str(artifacts / "figure-detail-375x812.png"))


@pytest.mark.parametrize("query", ["DeepSeek", "open source", "chips export", "percent"])
def test_search_js_shows_and_fetches_what_generator_search_query_says(site, new_page, query):
    """The benchmarks measure a first query with ``generator.search.query``: it must be what the
    browser does, results in the same order and the same files fetched."""
    from generator import search

    page, watch = new_page(1280, 800)
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    _open(page, watch, site.url("search.html?q=" + query.replace(" ", "+")))
    expect(page.locator("#search-status")).to_contain_text(query)
    shown = [link.get_attribute("href").removeprefix("./") for link in page.locator("#search-results li a").all()]
    results, files = search.query(site.folder, query)
    assert shown and shown == [r["location"] for r in results]
    wanted = {site.url(path) for path in files}
    assert wanted <= set(fetched), sorted(wanted - set(fetched))
    assert {u for u in fetched if "/search/" in u} == {u for u in wanted if "/search/" in u}
    assert not watch.errors and not watch.outside
