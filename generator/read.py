"""Stage 1: find the sources and read each one (bytes, encoding, front matter).

Nothing here interprets the text; it only decodes it and separates the editor's
front matter from the body. Every problem becomes a ``SourceError`` that names the
file (and the line, where there is one), so the build can report it and go on.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import unicodedata
from pathlib import Path

import yaml

from .config import SOURCE_EXTENSIONS
from .models import SourceFile


class SourceError(Exception):
    """A source that cannot be read; carries the file and line for a one-line message."""

    def __init__(self, path: str, message: str, line: int | None = None, code: str = "read"):
        super().__init__(message)
        self.path = path
        self.message = message
        self.line = line
        self.code = code

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


def discover(seeds_dir: Path) -> list[Path]:
    """Every file in ``seeds_dir`` (recursively), in a stable order, hidden files skipped.

    Unsupported extensions are returned too, so that the reader can report them.
    """
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(seeds_dir):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found.extend(Path(dirpath) / name for name in filenames if not name.startswith("."))
        # os.walk does not enter linked folders; list them so that they are reported (generator/guard.py).
        found.extend(Path(dirpath) / name for name in dirnames if os.path.islink(os.path.join(dirpath, name)))
    return sorted(found, key=lambda p: p.relative_to(seeds_dir).as_posix())


_CYRILLIC = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p", "r", "s", "t", "u", "f",
     "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya", "i", "i", "ie", "g"]))
_GREEK = dict(zip("αβγδεζηθικλμνξοπρσςτυφχψω",
                  ["a", "v", "g", "d", "e", "z", "i", "th", "i", "k", "l", "m", "n", "x", "o", "p", "r", "s", "s", "t",
                   "y", "f", "ch", "ps", "o"]))
# Cyrillic and Greek file names become readable ASCII ids ("Привет мир" -> "Privet-mir").
_TRANSLIT = str.maketrans({**_CYRILLIC, **{k.upper(): v.capitalize() for k, v in _CYRILLIC.items()},
                           **_GREEK, **{k.upper(): v.capitalize() for k, v in _GREEK.items() if k != "ς"}})
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
# "index" would overwrite sources/index.html; the others are device names Windows cannot store as files.
_RESERVED_IDS = {"index", "con", "prn", "aux", "nul"} | {f"{d}{n}" for d in ("com", "lpt") for n in range(10)}


def _unreserved(slug: str) -> str:
    return f"source-{slug}" if slug.split(".")[0].lower() in _RESERVED_IDS else slug


def safe_id(candidate: str, fallback_seed: str) -> str:
    """An id usable as a file name and URL: an allow-listed slug, never a path.

    Ids that are already safe are kept as they are (the contract says a source's id is
    its file name); anything else is transliterated to ASCII and slugified, and if
    nothing is left, derived from ``fallback_seed`` so that it is still stable.
    """
    candidate = candidate.strip()
    if _SAFE_ID.match(candidate) and not candidate.endswith("."):
        return _unreserved(candidate)
    ascii_text = unicodedata.normalize("NFKD", candidate).translate(_TRANSLIT).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", ascii_text).strip("-_")[:80].strip("-_")
    if slug:
        return _unreserved(slug)
    return "source-" + hashlib.sha256(fallback_seed.encode("utf-8", "replace")).hexdigest()[:10]


_DECLARED_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_:.-]+)""", re.I)


def declared_charset(data: bytes) -> str | None:
    """The encoding an HTML page declares in its first bytes (``<meta charset=...>``), if Python knows it."""
    match = _DECLARED_CHARSET.search(data[:4096])
    if not match:
        return None
    try:
        return codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None


def _detected(data: bytes) -> tuple[str, str] | None:
    """charset_normalizer's best guess, when it is confident (low "chaos") and decodes cleanly."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - it comes with trafilatura
        return None
    best = from_bytes(data[:200_000]).best()
    if best is None or best.chaos > 0.1:
        return None
    try:
        return data.decode(best.encoding), best.encoding
    except (UnicodeDecodeError, LookupError):
        return None


def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode bytes to text and name the encoding; never raises.

    BOMs win; then strict UTF-8; then UTF-16 without BOM (many NULs); then the encoding
    the page declares; then charset_normalizer's confident guess; then GB18030 for
    mostly-CJK bytes and Windows-1252, where a wrong guess still yields text, not a crash.
    """
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(name, errors="replace"), name
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if data and data.count(0) > len(data) // 4:
        even_nuls = data[0::2].count(0)
        odd_nuls = data[1::2].count(0)
        name = "utf-16-be" if even_nuls > odd_nuls else "utf-16-le"
        return data.decode(name, errors="replace"), name
    if declared and declared not in ("utf-8", "utf-16", "utf-32"):
        try:
            return data.decode(declared), declared
        except (UnicodeDecodeError, LookupError):
            pass
    guess = _detected(data)
    if guess and guess[1] not in _LATIN_FAMILY:
        return guess
    try:  # the Western default; also what a Latin-family guess usually means
        western = data.decode("cp1252")
        if guess and _odd_symbols(guess[0]) < _odd_symbols(western):
            return guess  # e.g. Polish in cp1250 reads as letters, not as "¿³æ"
        return western, "cp1252"
    except UnicodeDecodeError:
        pass
    if guess:
        return guess
    try:
        text = data.decode("gb18030")
        if _mostly_cjk(text):
            return text, "gb18030"
    except UnicodeDecodeError:
        pass
    return data.decode("utf-8", errors="replace"), "utf-8 (with replacements)"


def _odd_symbols(text: str) -> int:
    """Non-ASCII characters that are neither letters nor common typographic punctuation."""
    return sum(1 for c in text if ord(c) > 127 and not c.isalpha() and c not in "–—‘’“”…•€£°§©®™«»·\u00a0")


_LATIN_FAMILY = {"cp1250", "cp1252", "latin_1", "iso8859_15", "iso8859_2", "mac_roman", "cp850"}


def _mostly_cjk(text: str) -> bool:
    non_ascii = [c for c in text if ord(c) > 127]
    if not non_ascii:
        return False
    cjk = sum(1 for c in non_ascii if "\u3000" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef")
    return cjk / len(non_ascii) > 0.8


def looks_binary(data: bytes) -> bool:
    """True for data that is not text in any encoding we read (images, archives, ...)."""
    head = data[:8192]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if b"\x00" in head:
        # UTF-16 without BOM has NULs at every other byte; binary has them anywhere.
        even, odd = head[0::2].count(0), head[1::2].count(0)
        half = len(head) // 2
        return not (even > half * 0.8 or odd > half * 0.8)
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return control > len(head) * 0.05


# libyaml's parser where PyYAML has it: the same safe loading (PyYAML's own constructor and
# resolver over it), about eight times faster (a source's front matter 0.31 -> 0.04 ms, the
# gazetteer 19 -> 2 ms). What it refuses is parsed again by PyYAML's parser, whose error (its
# message and line) is the one reported, as it always was.
_FAST_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> object:
    """``yaml.safe_load(text)``: plain data only, never a Python object."""
    try:
        return yaml.load(text, Loader=_FAST_SAFE_LOADER)
    except (yaml.YAMLError, ValueError):  # ValueError: libyaml cannot take a lone surrogate
        return yaml.safe_load(text)


_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)


def split_front_matter(text: str, path: str) -> tuple[dict, str, int]:
    """Split YAML front matter (between ``---`` lines at the top) from the body.

    Returns (front matter, body, line where the body starts). Malformed YAML or a
    front matter that is not a mapping raises ``SourceError`` with the file's line.
    """
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text, 1
    raw = match.group(1) or ""
    try:
        data = load_yaml(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1  # +1 for the opening ---, +1 1-based
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise SourceError(path, f"malformed front matter: {problem}", line, "front-matter") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SourceError(path, "malformed front matter: expected key: value pairs", 2, "front-matter")
    body_line = text[: match.end()].count("\n") + 1
    return {str(k): v for k, v in data.items()}, text[match.end() :], body_line


def project_path(path: Path, root: Path) -> str:
    """How a source is named in messages, and what its id and page come from: its path in the
    project, as found (a link is named by itself, not by the file it leads to)."""
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()


def read_source(path: Path, root: Path, max_bytes: int) -> SourceFile:
    """Read one source file; raise ``SourceError`` for anything that cannot become a source."""
    rel = project_path(path, root)
    suffix = path.suffix.lower()
    if suffix not in SOURCE_EXTENSIONS:
        supported = ", ".join(SOURCE_EXTENSIONS)
        raise SourceError(rel, f"unsupported file type {suffix or '(none)'!r} (supported: {supported})",
                          code="unsupported")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise SourceError(rel, f"file is {size:,} bytes, over the limit of {max_bytes:,}",
                              code="too-large")
        with open(path, "rb") as handle:  # read-only: seeds/ is never modified
            data = handle.read(max_bytes + 1)
    except SourceError:
        raise
    except OSError as exc:
        raise SourceError(rel, f"cannot read file: {exc.strerror or exc}", code="unreadable") from None
    if len(data) > max_bytes:
        raise SourceError(rel, f"file is over the limit of {max_bytes:,} bytes", code="too-large")
    if not data.strip():
        raise SourceError(rel, "file is empty", code="empty")
    if looks_binary(data):
        raise SourceError(rel, "file is binary, not text", code="binary")
    text, encoding = decode(data, declared_charset(data) if suffix in (".html", ".htm") else None)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    kind = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}.get(suffix, "txt")
    front, body, body_line = split_front_matter(text, rel)  # an HTML page may carry it too
    if not body.strip():
        raise SourceError(rel, "file has no text besides its front matter", code="empty")
    raw_id = front.get("id")
    source_id = safe_id(str(raw_id) if raw_id is not None else path.stem, rel)
    return SourceFile(
        path=rel,
        id=source_id,
        kind=kind,
        text=body,
        encoding=encoding,
        front_matter=front,
        body_line=body_line,
        sha256=hashlib.sha256(data).hexdigest(),
    )
