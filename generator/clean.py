"""Line-level cleaning: literal escapes, boilerplate, repeated lines, captions.

Every rule is general (it meets pages nobody has seen) and transparent: a line is never
deleted, it is marked with the reason it is left out, and ends up in ``Document.excluded``.
The unit is a ``Block``: one paragraph-sized line of the source, in order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# --- text-level repairs --------------------------------------------------------------

_LITERAL_ESCAPES = re.compile(r"\\\\|\\(?:r\\n|[nrt])")


def unescape_literals(text: str) -> str:
    """Turn literal ``\\n``/``\\r\\n``/``\\t`` escape sequences (from a bad copy) back into text."""
    replacements = {"\\\\": "\\\\", "\\t": " "}  # an escaped backslash stays as it is
    return _LITERAL_ESCAPES.sub(lambda m: replacements.get(m.group(), "\n"), text)


# --- blocks --------------------------------------------------------------------------


@dataclass
class Block:
    """One paragraph-sized line of a source while it is being cleaned."""

    text: str
    kind: str = "text"  # "text", "heading", "item" or "caption"
    reason: str | None = None  # why it is left out; None while it is kept
    gap_before: int = 0  # blank lines before it in the source: a segment boundary signal

    @property
    def kept(self) -> bool:
        return self.reason is None


def _is_soft_wrap(previous: str, line: str) -> bool:
    return bool(previous) and previous[-1] not in ".!?:;\"'”’)" and line[:1].islower()


_MD_HEADING = re.compile(r"^#{1,6}\s+")


def paragraph_kind(line: str) -> str:
    """heading (short, no closing punctuation), item (bulleted or numbered) or text."""
    if re.match(r"^([-*•]|\d{1,2}[.)])\s+\S", line):
        return "item"
    words = line.split()
    if len(words) <= 14 and line[-1:] not in ".!?,;\"”。！？；…" and len(line) <= 200:
        return "heading"
    return "text"


def split_blocks(text: str) -> list[Block]:
    """The text as blocks: escapes repaired, whitespace collapsed, soft-wrapped lines joined."""
    blocks: list[Block] = []
    gap = 0
    for raw in unescape_literals(text).split("\n"):
        line = " ".join(raw.split())
        if not line:
            gap += 1
            continue
        heading = bool(_MD_HEADING.match(line))
        line = _MD_HEADING.sub("", line).strip() if heading else line
        if not line:
            continue
        if blocks and gap == 0 and not heading and _is_soft_wrap(blocks[-1].text, line):
            blocks[-1].text += " " + line
            blocks[-1].kind = paragraph_kind(blocks[-1].text)
        else:
            blocks.append(Block(line, "heading" if heading else paragraph_kind(line), gap_before=gap))
        gap = 0
    return blocks


# --- boilerplate ---------------------------------------------------------------------

_SOCIAL = r"(?:facebook|twitter|x|linkedin|whatsapp|reddit|e-?mail|telegram|pinterest|print|copy link|threads|bluesky)"
_BOILERPLATE = [
    # navigation
    (r"^skip to (?:the )?(?:main )?(?:content|navigation|article)\b", "navigation"),
    (r"^(?:back to top|go to top|jump to (?:content|navigation))$", "navigation"),
    (r"^(?:previous|next) (?:article|story|post|page)\b.{0,80}$", "navigation"),
    (r"^(?:menu|main menu|search|log ?in|sign ?in|home)$", "navigation"),
    # share and follow widgets
    (r"^(?:share|share this(?: article| story| post| page)?|share on \w+|tweet|copy link|email this|"
     r"print this(?: article)?|follow us(?: on \w+)?|click to share)\b.{0,40}$", "share buttons"),
    (rf"^{_SOCIAL}(?:[\s,|·•/]+{_SOCIAL})+$", "share buttons"),
    # subscription pitches
    (r"^(?:get|sign up|subscribe|join|register)\b.{0,80}\b(?:newsletters?|e-?mails?|inbox|updates|alerts|digest)\b"
     r"[^.!?]{0,60}[.!]?$", "subscription pitch"),
    (r"^subscribe(?: now| today| for free)?\b.{0,40}$", "subscription pitch"),
    (r"^we\b.{0,80}\b(?:send|deliver|email)s? you\b.{0,80}\b(?:daily|weekly|every (?:day|week|morning)|inbox|"
     r"newsletter)\b", "subscription pitch"),
    (r"^(?:already a subscriber|subscribe to (?:continue|read)|this (?:article|content) is for subscribers)\b",
     "subscription pitch"),
    # related links
    (r"^(?:recommended|related|more|popular|trending|latest|top|suggested)(?: \w+)? "
     r"(?:articles|stories|reading|posts|news|videos|content|reads)\b.{0,30}$", "related links"),
    (r"^(?:read more|read next|read also|see also|you may also like|you might also like|more from|most read|"
     r"most popular|further reading|also read)\b.{0,80}$", "related links"),
    # aggregator notes
    (r"^summary based on \d+ (?:sources?|articles?|reports?)\.?$", "aggregator note"),
    (r"^this (?:summary|article|digest) (?:was|is) (?:generated|written|created|produced) (?:by|with|using) "
     r"(?:an? )?(?:ai|artificial intelligence|language model)\b", "aggregator note"),
    # legal disclaimers
    (r"sole responsibility of the (?:author|writer)|"
     r"(?:does|do) not (?:necessarily )?(?:represent|reflect) the (?:views|position|opinions?|polic(?:y|ies))|"
     r"views expressed (?:here|in this (?:article|post|piece))? ?are (?:those of the author|the author'?s own)|"
     r"^all rights reserved\b|^(?:©|copyright ©?|\(c\)) ?(?:19|20)\d\d\b|"
     r"\bnot (?:intended as |to be construed as )?(?:financial|investment|legal) advice\b|"
     r"for (?:general )?informational purposes only", "legal disclaimer"),
    (r"^(?:privacy policy|terms of (?:use|service)|cookie (?:policy|settings))\b.{0,80}$", "legal disclaimer"),
    # page furniture: labels and widgets that say nothing about the subject
    (r"^(?:source|sources|blog|advertisement|advert|ad|sponsored(?: content)?|promoted|loading\.*|"
     r"comments?(?: \(\d+\))?|feature image|image|photo|video|listen to (?:this )?article|"
     r"\d+ (?:comments?|shares?|views?)|\d+ min(?:ute)?s? read)$", "page furniture"),
]
_BOILERPLATE_RES = [(re.compile(pattern, re.I), reason) for pattern, reason in _BOILERPLATE]
_SEPARATOR_LINE = re.compile(r"^(?:[-*_=~•·]\s*){3,}$")
_MENU_SEPARATORS = re.compile(r"\s+[|»›>/•·]\s+")


def boilerplate_reason(line: str) -> str | None:
    """The kind of boilerplate a line is, or None for content."""
    stripped = line.strip(" *_#>-•|").strip()
    if not stripped or _SEPARATOR_LINE.match(line.strip()):
        return "separator"  # a rule between parts of the page (also a segment boundary)
    for pattern, reason in _BOILERPLATE_RES:
        if pattern.search(stripped):
            return reason
    items = _MENU_SEPARATORS.split(stripped)
    if len(items) >= 3 and all(1 <= len(item.split()) <= 3 and item[-1:] not in ".!?" for item in items):
        return "navigation"  # a menu or breadcrumb: Home | News | Sport
    return None


# --- captions ------------------------------------------------------------------------

_CAPTION = re.compile(
    r"^(?:\(?(?:photo|photograph|picture|image|screenshot|illustration|graphic|video|chart|map|file photo)s?"
    r"(?: \d+)?\s*(?:[:|/—–-]|by|credit|courtesy)|screenshots? (?:of|from|shows?)\b|"
    r"(?:figure|fig\.|chart|table|exhibit) \d+[a-z]?\s*[:.|—–-]|"
    r"(?:photo|image|picture)s? (?:credit|courtesy|source)\b)", re.I)
_CREDIT_TAIL = re.compile(r"\((?:photo|image|picture|credit|getty images|reuters|ap|afp)[^)]*\)$", re.I)


def caption_like(line: str) -> bool:
    """A line that describes a picture rather than tells the story (``Photo: ...``, ``Screenshots of ...``)."""
    return bool(_CAPTION.match(line) or (len(line.split()) <= 40 and _CREDIT_TAIL.search(line)))


# --- the pass ------------------------------------------------------------------------


def _key(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def clean_blocks(blocks: list[Block]) -> list[Block]:
    """Mark boilerplate and repeats as excluded and captions as such (in place; returns ``blocks``).

    A caption is a line that reads like one, or a line printed twice in a row right after
    body text (alt text and figure caption of the same picture). The first copy of any
    repeated line is kept, later copies are excluded as repeats.
    """
    seen: set[str] = set()
    previous_kept: Block | None = None
    for index, block in enumerate(blocks):
        reason = boilerplate_reason(block.text)
        if reason:
            block.reason = reason
            continue
        key = _key(block.text)
        if key in seen and (len(key.split()) >= 3 or block.kind == "heading"):
            block.reason = "repeated line"
            continue
        seen.add(key)
        following = next((b for b in blocks[index + 1:] if boilerplate_reason(b.text) is None), None)
        doubled = following is not None and _key(following.text) == key
        after_body = previous_kept is not None and previous_kept.kind in ("text", "item")
        if caption_like(block.text) or (doubled and after_body and len(key.split()) <= 45):
            block.kind = "caption"
        previous_kept = block
    return blocks
