"""Stage 3b: which sentences carry which theme of the editors' taxonomy.

Assignment is per sentence, from the cue phrases editors write in ``mkdocs.yml``, so a
theme page can quote exactly the sentences that carry it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .models import Document, ThemeDef, ThemeMatch


@lru_cache(maxsize=4096)
def cue_pattern(cue: str) -> re.Pattern:
    """A cue as a whole-word, case-insensitive pattern; hyphens and spaces interchangeable,
    plurals accepted ("export control" matches "export controls" and "Export-Control")."""
    words = [re.escape(w) for w in re.split(r"[\s-]+", cue.strip()) if w]
    body = r"[\s-]+".join(words)
    return re.compile(r"(?<!\w)" + body + r"(?:s|es)?(?!\w)", re.I)


def assign_themes(document: Document, themes: tuple[ThemeDef, ...]) -> list[ThemeMatch]:
    """One match per (theme, sentence): the first cue of the theme found in the sentence."""
    matches: list[ThemeMatch] = []
    for sentence in document.sentences:
        for theme in themes:
            for cue in theme.cues:
                if cue_pattern(cue).search(sentence.text):
                    matches.append(ThemeMatch(theme.id, document.id, sentence.id, cue))
                    break
    return matches
