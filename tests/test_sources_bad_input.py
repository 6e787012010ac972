"""Bad input: one line naming the file (and line), the other sources still built, exit status."""

import json
import os

import pytest

from conftest import build_in_process, make_project

GOOD = "---\ntitle: Good source\n---\nThe good source states that the ferry carried 1,200 passengers in May.\n"


def build_with(tmp_path, capsys, name, content, *args, prepare=None):
    project = make_project(tmp_path / "p", {"good.md": GOOD, name: content} if content is not None else {"good.md": GOOD})
    if prepare:
        prepare(project)
    status = build_in_process(project, *args)
    err = capsys.readouterr().err
    data = json.loads((project / "site" / "briefing.json").read_text("utf-8"))
    assert [s["id"] for s in data["sources"]] == ["good"], "the good source must still be built"
    assert (project / "site" / "sources" / "good.html").is_file()
    return status, err, data


def problem_lines(err):
    return [line.strip() for line in err.splitlines() if ": error: " in line]


@pytest.mark.parametrize("name,content,message", [
    ("empty.txt", b"", "seeds/empty.txt: error: file is empty"),
    ("blank.md", b"---\ntitle: x\n---\n\n  \n", "seeds/blank.md: error: file has no text besides its front matter"),
    ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8, "seeds/photo.txt: error: file is binary"),
    ("notes.docx", b"PK\x03\x04 some zip", "seeds/notes.docx: error: unsupported file type '.docx'"),
    ("bad.md", "---\ntitle: ok\ndate: [unclosed\nauthor: x\n---\nBody text here.\n",
     "seeds/bad.md:4: error: malformed front matter"),
    ("list.md", "---\n- a\n- b\n---\nBody text here.\n", "seeds/list.md:2: error: malformed front matter"),
])
def test_bad_file_is_one_line_and_others_build(tmp_path, capsys, name, content, message):
    status, err, data = build_with(tmp_path, capsys, name, content)
    assert status == 0
    lines = problem_lines(err)
    assert len(lines) == 1 and lines[0].startswith(message), err
    assert "\n" not in lines[0]
    assert any(p["path"] == f"seeds/{name}" and p["severity"] == "error" for p in data["problems"])
    assert "problem(s) in sources" in err  # the summary line


def test_over_the_size_limit(tmp_path, capsys):
    big = ("A sentence of filler text about nothing in particular. " * 20_000).encode()  # > 1 MB
    def limit(project):
        config = project / "mkdocs.yml"
        config.write_text(config.read_text("utf-8").replace("      seeds: seeds\n",
                                                            "      seeds: seeds\n      max_source_mb: 1\n"), "utf-8")
    status, err, _ = build_with(tmp_path, capsys, "big.txt", big, prepare=limit)
    assert status == 0
    lines = problem_lines(err)
    assert len(lines) == 1 and lines[0].startswith("seeds/big.txt: error: file is") and "over the limit" in lines[0]


def test_dangling_link_is_reported(tmp_path, capsys):
    def dangling(project):
        os.symlink(project / "nowhere.txt", project / "seeds" / "gone.txt")
    status, err, _ = build_with(tmp_path, capsys, "x", None, prepare=dangling)
    lines = problem_lines(err)
    assert len(lines) == 1 and lines[0].startswith("seeds/gone.txt: error: "), err


def test_unreadable_file(tmp_path, capsys, monkeypatch):
    """A file the build may not open (permission denied; simulated, as root may open anything)."""
    import builtins

    import generator.read

    def guarded_open(path, *args, **kwargs):
        if str(path).endswith("locked.txt"):
            raise PermissionError(13, "Permission denied", str(path))
        return builtins.open(path, *args, **kwargs)

    monkeypatch.setattr(generator.read, "open", guarded_open, raising=False)
    status, err, _ = build_with(tmp_path, capsys, "locked.txt", "Some text that cannot be read.")
    lines = problem_lines(err)
    assert lines == ["seeds/locked.txt: error: cannot read file: Permission denied"], err


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_file_without_read_permission(tmp_path, capsys):
    def lock(project):
        (project / "seeds" / "locked.txt").chmod(0)
    status, err, _ = build_with(tmp_path, capsys, "locked.txt", "Some text.", prepare=lock)
    assert problem_lines(err)[0].startswith("seeds/locked.txt: error: cannot read file")


def test_strict_exits_non_zero_and_still_prints_the_summary(tmp_path, capsys):
    status, err, _ = build_with(tmp_path, capsys, "empty.txt", b"", "--strict")
    assert status == 1
    assert "seeds/empty.txt: error: file is empty" in err and "problem(s) in sources" in err


def test_every_encoding_reads_without_a_crash(tmp_path, capsys):
    text = "Le café « Zoë » a vendu 1 200 tasses — un record, selon la gérante."
    seeds = {"good.md": GOOD, "u8.txt": text, "bom.txt": "\ufeff" + text,
             "u16.txt": text.encode("utf-16"), "cp.txt": text.encode("cp1252"),
             "zh.txt": "中国的开源人工智能模型正在改变全球格局，越来越多的开发者选择使用。".encode("gb18030")}
    project = make_project(tmp_path / "p", seeds)
    assert build_in_process(project) == 0
    data = json.loads((project / "site" / "briefing.json").read_text("utf-8"))
    by_id = {s["id"]: s for s in data["sources"]}
    for name in ("u8", "bom", "u16", "cp"):
        assert by_id[name]["text"] == text, name
    assert by_id["zh"]["text"].startswith("中国的开源人工智能模型")
