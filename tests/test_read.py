from pathlib import Path

import pytest

from generator.read import SourceError, decode, discover, read_source, safe_id, split_front_matter

LIMIT = 1024 * 1024


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def test_front_matter_sets_metadata_and_id(tmp_path):
    path = write(tmp_path, "seeds/a.md", "---\ntitle: A title\nid: custom\n---\nBody text.\n")
    source = read_source(path, tmp_path, LIMIT)
    assert source.id == "custom"
    assert source.front_matter["title"] == "A title"
    assert source.text == "Body text.\n"
    assert source.body_line == 5
    assert source.path == "seeds/a.md"


def test_id_defaults_to_file_stem(tmp_path):
    source = read_source(write(tmp_path, "seeds/001_abc.txt", "Hello world."), tmp_path, LIMIT)
    assert source.id == "001_abc"


def test_malformed_front_matter_names_the_line(tmp_path):
    path = write(tmp_path, "seeds/bad.md", "---\ntitle: ok\ndate: [unclosed\n---\nBody\n")
    with pytest.raises(SourceError) as info:
        read_source(path, tmp_path, LIMIT)
    assert info.value.path == "seeds/bad.md"
    assert info.value.line in (3, 4)
    assert "front matter" in str(info.value)


def test_front_matter_must_be_a_mapping():
    with pytest.raises(SourceError):
        split_front_matter("---\n- a\n- b\n---\nbody", "x.md")


@pytest.mark.parametrize("name,content,code", [
    ("empty.txt", b"", "empty"),
    ("blank.txt", b"  \n\n ", "empty"),
    ("image.txt", bytes(range(256)) * 4, "binary"),
    ("data.csv", b"a,b\n1,2\n", "unsupported"),
])
def test_unusable_files_raise_named_errors(tmp_path, name, content, code):
    with pytest.raises(SourceError) as info:
        read_source(write(tmp_path, f"seeds/{name}", content), tmp_path, LIMIT)
    assert info.value.code == code
    assert f"seeds/{name}" in str(info.value)


def test_size_limit(tmp_path):
    with pytest.raises(SourceError) as info:
        read_source(write(tmp_path, "seeds/big.txt", "x" * 2000), tmp_path, 1000)
    assert info.value.code == "too-large"


@pytest.mark.parametrize("data,expected", [
    ("héllo wörld".encode("utf-8"), "héllo wörld"),
    ("\ufeffhéllo".encode("utf-8"), "héllo"),
    ("héllo wörld".encode("utf-16"), "héllo wörld"),
    ("café – “quoted”".encode("cp1252"), "café – “quoted”"),
    ("中文开源模型的崛起".encode("gb18030"), "中文开源模型的崛起"),
])
def test_decode_common_encodings(data, expected):
    text, _ = decode(data)
    assert text == expected


def test_decode_never_raises_on_garbage():
    text, encoding = decode(b"\xff\xfe\xfa\x80abc\x81")
    assert isinstance(text, str) and encoding


@pytest.mark.parametrize("candidate,expected", [
    ("000_abc", "000_abc"),
    ("../../etc/passwd", "etc-passwd"),
    ("/abs/path", "abs-path"),
    ("My Source Name", "My-Source-Name"),
    ("Café", "Cafe"),
])
def test_safe_id(candidate, expected):
    assert safe_id(candidate, "seed") == expected


def test_safe_id_of_non_latin_name_is_stable_and_safe():
    first = safe_id("中国开源", "seeds/中国开源.txt")
    assert first == safe_id("中国开源", "seeds/中国开源.txt")
    assert first.startswith("source-")


def test_discover_is_sorted_and_skips_hidden(tmp_path):
    for name in ("b.txt", "a.txt", ".hidden.txt", "sub/c.md"):
        write(tmp_path, name, "x")
    assert [p.relative_to(tmp_path).as_posix() for p in discover(tmp_path)] == ["a.txt", "b.txt", "sub/c.md"]


def test_html_page_may_carry_front_matter(tmp_path):
    path = write(tmp_path, "seeds/p.html", "---\ntitle: Edited\nexclude: [Menu]\n---\n<html><body><p>Hi.</p></body></html>")
    source = read_source(path, tmp_path, LIMIT)
    assert source.kind == "html" and source.front_matter["title"] == "Edited"
    assert source.text.startswith("<html>")


@pytest.mark.parametrize("text,encoding", [
    ("Zażółć gęślą jaźń – polski tekst o modelach.", "cp1250"),
    ("日本語のテキストです。オープンソースのモデルが増えています。", "shift_jis"),
    ("Привет, как дела? Это русский текст о моделях.", "cp1251"),
    ("Ελληνικά κείμενα για ανοιχτά μοντέλα.", "cp1253"),
])
def test_decode_detects_other_legacy_encodings(text, encoding):
    assert decode(text.encode(encoding))[0] == text


def test_unreadable_file_is_named(tmp_path):
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "gone.txt").symlink_to(tmp_path / "missing.txt")
    with pytest.raises(SourceError) as info:
        read_source(tmp_path / "seeds" / "gone.txt", tmp_path, LIMIT)
    assert info.value.code == "unreadable" and str(info.value).startswith("seeds/gone.txt: cannot read file")


def test_cyrillic_and_greek_names_are_transliterated():
    assert safe_id("Привет мир", "seed") == "Privet-mir"
    assert safe_id("Αθήνα", "seed") == "Athina"


@pytest.mark.parametrize("name,kind", [("page.htm", "html"), ("page.HTML", "html"), ("notes.md", "md"),
                                       ("notes.markdown", "md"), ("paste.txt", "txt")])
def test_every_supported_extension_picks_its_reader(tmp_path, name, kind):
    source = read_source(write(tmp_path, f"seeds/{name}", "<html><body><p>Hi there.</p></body></html>"), tmp_path, LIMIT)
    assert source.kind == kind


@pytest.mark.parametrize("text", [
    "title: Tulips\ndate: 2025-03-01\ntags: [a, b]\nn: 0o17\nx: 1e3\ny: .inf\nz: ~\n",
    "title: 'quoted: yes'\nauthor: \"Ünïcode \\u2014\"\nlist:\n  - one\n  - {k: v}\n",
    "base: &a {k: 1}\nother: *a\nmulti: |\n  two\n  lines\n",
    "title: [unclosed\n", "a: 1\n\tb: 2\n", "title: a\x00b\n", "title: a\udc80b\n", "- just\n- a list\n",
    "key: value: other\n", "? complex\n: key\n", "!!python/object:os.system {}\n", "",
])
def test_yaml_is_loaded_as_yaml_safe_load_does(text):
    """libyaml's parser where there is one, with the same data, and the same error (message and
    line) as PyYAML's own parser for what either refuses."""
    import yaml

    from generator.read import load_yaml

    def outcome(load):
        try:
            return "ok", load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            return "error", type(exc).__name__, str(exc), mark.line if mark is not None else None
    assert outcome(load_yaml) == outcome(yaml.safe_load)
