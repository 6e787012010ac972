"""Saved web pages: the article and its metadata, never the markup, never the network."""

import socket
from pathlib import Path

import pytest

from generator.html import fallback_html_to_text, html_to_text
from generator.normalise import normalise
from generator.read import read_source

FIXTURES = Path(__file__).parent / "fixtures" / "sources"
PAGE = (FIXTURES / "news_page.html").read_text("utf-8")


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_news_page_yields_article_and_metadata(no_network):
    doc = normalise(read_source(FIXTURES / "news_page.html", FIXTURES, 10**7))
    assert doc.title == "Harbour towns vote to rebuild the sea wall"
    assert (doc.date, doc.author, doc.publisher) == ("2024-03-14", "Priya Raman", "The Coastal Ledger")
    assert doc.url == "https://ledger.example.org/news/sea-wall-vote"
    text = doc.text
    assert text.startswith("Councillors in the three harbour towns voted on Tuesday")
    assert "Storms exposed the weakness" in text and "Tomas Lindqvist" in text
    assert text.rstrip().endswith("keep working through the summer season.")
    for furniture in ("Skip to content", "Sport", "Share on Facebook", "newsletter", "Recommended", "Ferry timetable",
                      "seagull77", "basement flooded", "All rights reserved", "Privacy policy", "dataLayer"):
        assert furniture not in text, furniture
    assert "<" not in text and ">" not in text


def test_extraction_is_deterministic(no_network):
    assert html_to_text(PAGE) == html_to_text(PAGE)


def test_tiny_page_keeps_inline_markup_text_together(no_network):
    text, meta = html_to_text("<html><head><title>T</title><script>alert(1)</script></head>"
                              "<body><nav>Menu</nav><p>Real <b>text</b> here.</p></body></html>")
    assert text == "Real text here." and meta["title"] == "T"


def test_fallback_extractor_drops_markup_scripts_and_navigation():
    text, meta = fallback_html_to_text("<title>Page</title><nav>Menu</nav><script>x()</script>"
                                       "<p>One <i>two</i>.</p><div>Three &amp; four</div><footer>f</footer>")
    assert text == "One two.\n\nThree & four" and meta == {"title": "Page"}


@pytest.mark.parametrize("html", ["", "<html></html>", "<<<>>>", "<p>unclosed <div>& x", "\x00<p>nul</p>"])
def test_broken_pages_never_crash(html, no_network):
    text, meta = html_to_text(html)
    assert isinstance(text, str) and isinstance(meta, dict)
    assert "<p>" not in text


def test_tables_become_plain_cells():
    text, _ = html_to_text("<html><body><article><p>" + "Shares of the market by country. " * 10 + "</p>"
                           "<table><tr><th>Country</th><th>Share</th></tr><tr><td>Chile</td><td>12%</td></tr>"
                           "</table></article></body></html>")
    assert "Chile; 12%" in text and "|" not in text


def test_declared_charset_of_a_page_is_used(tmp_path):
    html = "<html><head><meta charset=\"koi8-r\"><title>Новости</title></head><body><p>Привет, мир. " \
           "Это короткая заметка о погоде в городе.</p></body></html>"
    (tmp_path / "page.html").write_bytes(html.encode("koi8-r"))
    source = read_source(tmp_path / "page.html", tmp_path, 10**7)
    assert source.encoding.replace("_", "-") == "koi8-r" and "Привет, мир." in source.text
