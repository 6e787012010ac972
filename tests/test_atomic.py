"""Atomic output: a killed or failed build leaves the previous site/ byte for byte as it was.

The child build is slowed deterministically from outside the production code: a
sitecustomize.py on its PYTHONPATH wraps MkDocs' file writing so that, after some files are
written into the temporary folder, it drops a marker and sleeps; the test then SIGKILLs it.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, build_in_process, make_project, run_briefing

HOOKS = {
    # Killed in the middle of MkDocs' pass over the files in the temporary folder (it copies
    # its theme's, and leaves the briefing's where they were written: WrittenFile).
    "mid-write": """
import os, time
from generator.plugin import WrittenFile
_real = WrittenFile.copy_file
_count = [0]
def copy_file(self, dirty=False):
    _real(self, dirty)
    _count[0] += 1
    if _count[0] == 5:
        open(os.environ["H6_MARKER"], "w").close()
        time.sleep(600)
WrittenFile.copy_file = copy_file
""",
    # Killed after everything was written, just before the swap.
    "before-swap": """
import os, time
import generator.output as output
def swap_in(temp, site_dir):
    open(os.environ["H6_MARKER"], "w").close()
    time.sleep(600)
output.swap_in = swap_in
""",
}


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(project: Path) -> list[str]:
    return sorted(p.name for p in project.iterdir() if p.name.startswith((".site.building-", ".site.old-")))


@pytest.mark.parametrize("when", sorted(HOOKS))
def test_killed_build_leaves_the_old_site_intact(tmp_path, when):
    project = make_project(tmp_path / "p", sample=True)
    assert build_in_process(project) == 0
    before = snapshot(project / "site")
    # A changed source, so the new site would differ from the old one.
    (project / "seeds" / "added.txt").write_text("A new source states 77% of something.\n", "utf-8")
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(HOOKS[when], "utf-8")
    marker = tmp_path / "marker"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(hook), str(ROOT)]), H6_MARKER=str(marker))
    child = subprocess.Popen([sys.executable, "-m", "generator.cli", "build", "--no-cache"], cwd=project, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(1200):  # waits for the marker, not a duration: up to 120 s on a slow machine
            if marker.exists() or child.poll() is not None:
                break
            time.sleep(0.1)
        assert marker.exists(), f"the child build never reached its hook (exit {child.poll()})"
        assert leftovers(project), "the child should be writing into a temporary folder"
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert snapshot(project / "site") == before
    # The next build cleans the stale temporary folder and swaps in the new site.
    assert build_in_process(project) == 0
    assert leftovers(project) == []
    assert (project / "site" / "sources" / "added.html").exists()


def test_exception_mid_build_leaves_site_and_exits_2(tmp_path):
    project = make_project(tmp_path / "p", sample=True)
    assert build_in_process(project) == 0
    before = snapshot(project / "site")
    (project / "seeds" / "added.txt").write_text("A new source.\n", "utf-8")
    page = project / "templates" / "pages" / "source.html"
    page.write_text(page.read_text("utf-8") + "\n{% if %}broken{% endfor %}\n", "utf-8")
    result = run_briefing(project, "build")
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    failed = [line for line in result.stderr.splitlines() if line.startswith("briefing: build failed")]
    assert len(failed) == 1 and "TemplateSyntaxError" in failed[0]
    assert failed[0].endswith(f"({page}:{page.read_text('utf-8').count(chr(10))})")  # the file and line
    assert "line " not in result.stderr.split(failed[0])[1]  # one line: no location repeated below it
    assert snapshot(project / "site") == before
    assert leftovers(project) == []


def test_runtime_error_in_template_leaves_site(tmp_path):
    project = make_project(tmp_path / "p", sample=True)
    assert build_in_process(project) == 0
    before = snapshot(project / "site")
    page = project / "templates" / "pages" / "sources.html"
    page.write_text(page.read_text("utf-8").replace("{% endblock %}", "{{ no_such_name }}{% endblock %}", 1), "utf-8")
    result = run_briefing(project, "build")
    assert result.returncode == 2, result.stderr[-2000:]
    assert snapshot(project / "site") == before
    assert leftovers(project) == []


def test_every_output_path_is_checked():
    from generator.output import UnsafePath, safe_relative, write_chunks, write_files

    for bad in ("../x.html", "/etc/passwd", "a/../../x", "a\x00b", "a\\..\\b", "", ".", "a//b", "./a"):
        with pytest.raises(UnsafePath):
            safe_relative(bad)
    assert safe_relative("sources/a.html") == "sources/a.html"
    with pytest.raises(UnsafePath):
        write_files({"../escape.html": b"x"}, Path("/nonexistent-site"))
    with pytest.raises(UnsafePath):
        write_chunks(Path("/nonexistent-site"), "../escape.html", [b"x"])


def test_links_inside_the_site_folder_are_never_written_through(tmp_path):
    from generator.output import UnsafePath, write_chunks, write_files

    site, outside = tmp_path / "site", tmp_path / "outside"
    site.mkdir()
    outside.mkdir()
    (site / "search").symlink_to(outside, target_is_directory=True)  # a folder leading out
    (site / "page.html").symlink_to(outside / "page.html")  # a file leading out
    for write in (lambda rel: write_files({rel: b"x"}, site), lambda rel: write_chunks(site, rel, [b"x"])):
        for rel in ("search/t/a.json", "page.html"):
            with pytest.raises(UnsafePath):
                write(rel)
    write_files({"a/one.json": b"1", "a/two.json": b"2", "top.json": b"3"}, site)  # many files, few folders
    assert [(site / p).read_bytes() for p in ("a/one.json", "a/two.json", "top.json")] == [b"1", b"2", b"3"]
    assert list(outside.iterdir()) == []


def test_content_written_in_chunks_is_whole_and_its_digest_returned(tmp_path):
    from generator.output import write_chunks

    digest = write_chunks(tmp_path, "a/b.json", iter([b"one ", b"", b"two\n"]))
    assert (tmp_path / "a" / "b.json").read_bytes() == b"one two\n"
    assert digest == hashlib.sha256(b"one two\n").hexdigest()


def test_page_collision_fails_instead_of_overwriting(tmp_path):
    """A theme id that would overwrite a list page (themes/index.html) stops the build (exit 2), site/ kept."""
    extra = "\n".join(["", "        - {id: index, title: Index theme, cues: [growth]}", ""])
    config = (ROOT / "mkdocs.yml").read_text("utf-8")
    assert "      themes:\n" in config
    project = make_project(tmp_path / "p", {"a.txt": "Growth was 5%.\n"})
    (project / "mkdocs.yml").write_text(config.replace("      themes:\n", "      themes:" + extra, 1), "utf-8")
    result = run_briefing(project, "build")
    assert result.returncode == 2 and "themes/index.html" in result.stderr, result.stderr[-1500:]
    assert not (project / "site").exists() and leftovers(project) == []
