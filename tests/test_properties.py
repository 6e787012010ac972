"""Property-based tests (hypothesis): the reader, normaliser and figure extractor never crash on any
input, figures are exact substrings of their sentences, and every rendered page is safe, well-formed HTML.

Example counts are moderate so the suite stays fast; run with ``--hypothesis-show-statistics`` to see them.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from generator.build import process_source
from generator.assemble import assemble
from generator.config import Settings
from generator.figures import extract_figures
from generator.models import SourceFile
from generator.normalise import normalise
from generator.read import SourceError, decode, read_source
from generator.export import briefing_data
from generator import search
from generator.render import _page_list, build_views, render_site, search_entries
from safety import page_violations

MANY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

WORDS = ["the", "rose", "fell", "by", "to", "of", "US$", "$", "€", "¥", "%", "per cent", "percent", "million",
         "billion", "bn", "m", "k", "GW", "km", "users", "about", "over", "under", "nearly", "at least", "up to",
         "between", "and", "2024", "1999", "Q3", "H1", "–", "-", "/", ".", ",", ":", "\n", "\n\n", "(", ")", "\"",
         "“", "”", "'", "’", "Alibaba", "DeepSeek", "said", "<script>", "{{ x }}", "1.5", "3,000", "10–20%",
         "½", "٣", "二十", "1e9", "0.000001", "99.9%", "-5", "+7", "#", "*", "- ", "# ", "---", "<p>", "&amp;"]
text_like = st.lists(st.one_of(st.sampled_from(WORDS), st.integers(-10**12, 10**12).map(str),
                               st.floats(allow_nan=False, allow_infinity=False).map(str), st.text(max_size=8)),
                     max_size=60).map(" ".join)
any_text = st.one_of(st.text(max_size=400), text_like)
KINDS = st.sampled_from(["txt", "md", "html"])
front_values = st.one_of(st.none(), st.text(max_size=30), st.integers(), st.booleans(),
                         st.lists(st.text(max_size=10), max_size=3), st.dates().map(str))
front_matter = st.dictionaries(st.sampled_from(["title", "date", "publisher", "author", "url", "language",
                                                "include", "exclude", "id"]), front_values, max_size=5)


def source(text: str, kind: str = "txt", front: dict | None = None, source_id: str = "s") -> SourceFile:
    return SourceFile(path=f"seeds/{source_id}.{kind}", id=source_id, kind=kind, text=text, encoding="utf-8",
                      front_matter=front or {}, body_line=1, sha256="0" * 64)


@MANY
@given(st.binary(max_size=2000))
def test_decode_never_raises(data):
    text, encoding = decode(data)
    assert isinstance(text, str) and encoding


_READ_DIR = Path(tempfile.mkdtemp(prefix="h6-read-"))


@MANY
@given(st.one_of(st.binary(max_size=2000), any_text.map(lambda t: t.encode("utf-8")),
                 front_matter.map(lambda f: ("---\n" + "".join(f"{k}: {v!r}\n" for k, v in f.items())
                                             + "---\nBody.\n").encode())),
       st.sampled_from([".txt", ".md", ".html", ".htm", ".markdown", ".pdf", ""]))
def test_read_source_raises_only_source_error(data, suffix):
    path = _READ_DIR / f"case{suffix}"
    path.write_bytes(data)
    try:
        result = read_source(path, _READ_DIR, 1000)
    except SourceError as exc:
        assert exc.path == path.name and str(exc)
    else:
        assert result.text.strip() and "\x00" not in result.text


@MANY
@given(any_text, KINDS, front_matter)
def test_normalise_never_raises(text, kind, front):
    document = normalise(source(text, kind, front))
    for sentence in document.sentences:
        assert sentence.text and sentence.text in document.paragraphs[sentence.paragraph].text


@MANY
@given(text_like, KINDS)
def test_figures_are_exact_substrings(text, kind):
    document = normalise(source(text, kind))
    sentences = {s.id: s.text for s in document.sentences}
    for figure in extract_figures(document):
        sentence = sentences[figure.sentence]
        assert figure.text and sentence[figure.start:figure.start + len(figure.text)] == figure.text
        assert figure.value == figure.value  # not NaN


@FEW
@given(st.lists(st.tuples(any_text, KINDS, front_matter), min_size=1, max_size=3),
       st.text(max_size=40), st.text(max_size=60))
def test_rendered_pages_are_safe_and_well_formed(sources, title, description):
    config = Settings(root=ROOT, seeds_dir=ROOT / "seeds", templates_dir=ROOT / "templates",
                      title=title or "t", description=description)
    results = []
    for index, (text, kind, front) in enumerate(sources):
        front = {k: v for k, v in front.items() if k != "id"}
        try:
            results.append(process_source(source(text or "x", kind, front, f"s{index}"), config))
        except SourceError:
            continue
    briefing = assemble(config.title, results, config.themes, [], gazetteer=config.gazetteer)
    with tempfile.TemporaryDirectory() as out:
        files = render_site(build_views(briefing, briefing_data(briefing)), config, Path(out)).contents()
    for path, content in files.items():
        if path.endswith(".html"):
            assert page_violations(content.decode("utf-8"), path) == [], path


@FEW
@given(st.lists(st.tuples(any_text, KINDS, front_matter), min_size=1, max_size=3))
def test_search_terms_worked_out_per_source_are_those_of_the_pages_indexed(sources):
    """The map works out each source page's and figure's search terms (search.source_terms); the
    index made from them is the one made from the pages' own titles and texts."""
    config = Settings(root=ROOT, seeds_dir=ROOT / "seeds", templates_dir=ROOT / "templates", title="t")
    results = []
    for index, (text, kind, front) in enumerate(sources):
        try:
            results.append(process_source(source(text or "x", kind, front, f"s{index}"), config))
        except SourceError:
            continue
    briefing = assemble(config.title, results, config.themes, [], gazetteer=config.gazetteer)
    views = build_views(briefing, briefing_data(briefing))
    entries = search_entries(_page_list(views))
    assert search.index_files(entries, views["figures"], views["search_terms"]) == \
        search.index_files(entries, views["figures"])


def _excerpt_of_the_whole_text(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= search.EXCERPT_CHARS:
        return text
    return text[:search.EXCERPT_CHARS].rsplit(" ", 1)[0] + "…"


@MANY
@given(st.lists(st.one_of(st.text(alphabet="ab", min_size=1, max_size=30), st.text(alphabet=" \n\t\u00a0", min_size=1,
                                                                                   max_size=200)), max_size=60).map("".join))
@example("few words " + " " * 700 + "and then many more " * 20)  # the start is too short once evened out
def test_an_excerpt_evens_out_the_spacing_of_its_start_as_of_the_whole_text(text):
    assert search._excerpt(text) == _excerpt_of_the_whole_text(text)
