"""``briefing new``: start a source file with front matter, so editors only paste the text."""

from __future__ import annotations

import datetime
import re
import unicodedata
from pathlib import Path

import yaml

from .config import SOURCE_EXTENSIONS


class ScaffoldError(ValueError):
    """The file cannot be created (it exists, the id is taken, a bad date)."""


def slugify(title: str) -> str:
    """A file name from a title: ASCII letters, digits and hyphens, at most 60 characters."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")
    return slug or "source"


def front_matter(title: str, url: str | None = None, date: str | None = None,
                 publisher: str | None = None) -> str:
    """YAML front matter, quoted by the YAML library itself so any title is safe."""
    fields: dict[str, str] = {"title": title}
    if date:
        try:
            datetime.date.fromisoformat(date)
        except ValueError:
            raise ScaffoldError(f"--date {date!r}: expected YYYY-MM-DD") from None
        fields["date"] = date
    if publisher:
        fields["publisher"] = publisher
    if url:
        fields["url"] = url
    # dates kept as strings: safe_dump quotes them, so they round-trip exactly as given
    return "---\n" + yaml.safe_dump(fields, sort_keys=False, allow_unicode=True, width=1000) + "---\n"


def new_source(seeds_dir: Path, title: str, url: str | None = None, date: str | None = None,
               publisher: str | None = None) -> Path:
    """Create ``seeds/<slug>.md``; refuses to overwrite a file or to reuse another source's file name."""
    if not title.strip():
        raise ScaffoldError("the title is empty")
    slug = slugify(title)
    target = seeds_dir / f"{slug}.md"
    taken = [p for p in (seeds_dir / f"{slug}{ext}" for ext in SOURCE_EXTENSIONS) if p.exists()]
    if taken:
        raise ScaffoldError(f"{taken[0]}: already exists; not overwritten")
    text = front_matter(title.strip(), url, date, publisher) + "\n"
    seeds_dir.mkdir(parents=True, exist_ok=True)
    try:
        with open(target, "x", encoding="utf-8") as handle:  # "x": never overwrite, even in a race
            handle.write(text)
    except FileExistsError:
        raise ScaffoldError(f"{target}: already exists; not overwritten") from None
    return target
