"""Shared fixtures: a throw-away briefing project built from the real templates and config."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_SEEDS = ROOT / "seeds"


def make_project(where: Path, seeds: dict[str, str | bytes] | None = None, *, sample: bool = False,
                 config_extra: str = "") -> Path:
    """A project folder with the repository's mkdocs.yml and templates, and the given seeds."""
    where.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "templates", where / "templates")
    if (ROOT / "gazetteer.yml").exists():  # the default entity list editors extend
        shutil.copy(ROOT / "gazetteer.yml", where / "gazetteer.yml")
    config = (ROOT / "mkdocs.yml").read_text("utf-8")
    (where / "mkdocs.yml").write_text(config + config_extra, "utf-8")
    seeds_dir = where / "seeds"
    seeds_dir.mkdir()
    if sample:
        for path in SAMPLE_SEEDS.iterdir():
            shutil.copy(path, seeds_dir / path.name)
    for name, content in (seeds or {}).items():
        target = seeds_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, "utf-8")
    return where


def run_briefing(project: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the ``briefing`` command in ``project`` as a separate process."""
    return subprocess.run([sys.executable, "-m", "generator.cli", *args], cwd=project, env=env,
                          capture_output=True, text=True, timeout=600)


def build_in_process(project: Path, *args: str) -> int:
    """Run ``briefing build`` in this process (faster than a subprocess)."""
    import os

    from generator.cli import main

    old = os.getcwd()
    os.chdir(project)
    try:
        return main(["build", *args])
    finally:
        os.chdir(old)


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> Path:
    """The sample corpus, built once per test session; returns the site folder."""
    project = make_project(tmp_path_factory.mktemp("sample"), sample=True)
    assert build_in_process(project) == 0
    return project / "site"
