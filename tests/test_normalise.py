from generator.models import SourceFile
from generator.normalise import clean_body, find_date, normalise, sentence_id, split_sentences, unescape_literals


def source(text: str, kind: str = "txt", front: dict | None = None) -> SourceFile:
    return SourceFile(path="seeds/t.txt", id="t", kind=kind, text=text, encoding="utf-8", front_matter=front or {})


def test_literal_escapes_become_breaks():
    assert unescape_literals("one\\n\\ntwo") == "one\n\ntwo"


def test_repeated_lines_kept_once_and_reported():
    paragraphs, excluded = clean_body("A headline here\n\nA headline here\n\nBody sentence one.")
    assert [p.text for p in paragraphs] == ["A headline here", "Body sentence one."]
    assert excluded[0].reason == "repeated line"


def test_soft_wrapped_lines_are_joined():
    paragraphs, _ = clean_body("This sentence was wrapped\nby an editor at forty columns.")
    assert [p.text for p in paragraphs] == ["This sentence was wrapped by an editor at forty columns."]


def test_sentences_respect_abbreviations_and_decimals():
    text = "The U.S. grew 3.5% in 2024. Dr. Smith agreed. No. 1 is here! Is it? Yes."
    assert split_sentences(text) == [
        "The U.S. grew 3.5% in 2024.", "Dr. Smith agreed.", "No. 1 is here!", "Is it?", "Yes."]


def test_sentence_ids_are_content_based_and_unique():
    taken: set[str] = set()
    first = sentence_id("Same words.", taken)
    second = sentence_id("Same words.", taken)
    assert first != second and second.startswith(first)
    assert sentence_id("Same  words.", set()) == first


def test_sentence_ids_do_not_depend_on_other_sentences():
    a = normalise(source("First one here.\n\nShared sentence stays put."))
    b = normalise(source("A new opening line was added.\n\nShared sentence stays put."))
    assert a.sentences[-1].id == b.sentences[-1].id


def test_front_matter_wins_and_nothing_is_invented():
    doc = normalise(source("Body only, no dates.", front={"title": "Given", "publisher": "P"}))
    assert doc.title == "Given" and doc.publisher == "P"
    assert doc.date is None and doc.author is None


def test_dates_are_found_in_common_forms():
    assert find_date("Published July 9, 2025 by us") == "2025-07-09"
    assert find_date("2025-07-03 21:51 Last Updated") == "2025-07-03T21:51"
    assert find_date("3 Feb 2024") == "2024-02-03"
    assert find_date("no date here, 2024 only") is None


def test_html_markup_never_survives():
    doc = normalise(source("<html><head><title>T</title><script>alert(1)</script></head>"
                           "<body><nav>Menu</nav><p>Real <b>text</b> here.</p></body></html>", kind="html"))
    assert doc.text == "Real text here."
    assert doc.title == "T"


def test_cjk_sentences_split_without_spaces():
    assert split_sentences("中国的模型很便宜。开发者选择使用！真的吗？") == ["中国的模型很便宜。", "开发者选择使用！", "真的吗？"]


def test_single_unpunctuated_line_is_text_not_swallowed_as_title():
    doc = normalise(source("中国的开源人工智能模型正在改变全球格局"))
    assert doc.text == "中国的开源人工智能模型正在改变全球格局"


def test_sentence_and_figure_ids_do_not_change_when_another_source_is_added(tmp_path):
    """Anchors are links readers keep: adding a source (even one sharing sentences) must not move them."""
    import json

    from conftest import build_in_process, make_project

    first = "The port handled 4.1 million containers last year.\n\nDredging the channel cost $40 million."
    other = "The port handled 4.1 million containers last year. A new quay opens in May."

    def ids(project):
        assert build_in_process(project) == 0
        data = json.loads((project / "site" / "briefing.json").read_text("utf-8"))
        source = next(s for s in data["sources"] if s["id"] == "a")
        return [x["id"] for x in source["sentences"]], sorted(f["id"] for f in data["figures"] if f["source"] == "a")

    alone = ids(make_project(tmp_path / "one", {"a.txt": first}))
    together = ids(make_project(tmp_path / "two", {"a.txt": first, "0-first.txt": other, "z.md": other}))
    assert alone == together and alone[0]


def test_a_run_on_line_is_cut_into_bounded_sentences_without_losing_a_word():
    from generator.sentences import MAX_SENTENCE_CHARS, split_sentences

    line = " ".join(f"word{i} rose 5%" for i in range(3000))  # ~40,000 characters, no full stop
    pieces = split_sentences(line)
    assert len(pieces) > 1 and all(len(p) <= MAX_SENTENCE_CHARS for p in pieces)
    assert " ".join(pieces).split() == line.split()
    assert split_sentences("x" * (MAX_SENTENCE_CHARS + 10)) == ["x" * MAX_SENTENCE_CHARS, "x" * 10]  # no space at all
