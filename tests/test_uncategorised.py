"""Uncategorised: sources no theme matches and salient phrases no theme covers (fixtures)."""

import pytest

from generator.models import Document, Paragraph, Sentence, SourceResult, ThemeDef
from generator.themes import assign_themes, theme_candidates, uncategorised_problems

THEMES = (ThemeDef("cost", "Cost", cues=("price", "cost")),)


def doc(doc_id: str, *texts: str, kinds: tuple[str, ...] = ()) -> Document:
    return Document(id=doc_id, path=f"seeds/{doc_id}.txt", kind="txt", title=None, date=None, publisher=None,
                    author=None, url=None, language=None,
                    paragraphs=tuple(Paragraph(t, kinds[i] if i < len(kinds) else "text") for i, t in enumerate(texts)),
                    sentences=tuple(Sentence(f"s-{i}", t, i) for i, t in enumerate(texts)))


DOCS = [
    doc("a", "Battery-Swapping stations are spreading in the north.", "The price of a swap fell again.",
        "Supply Chain Resilience And Battery-Swapping", kinds=("text", "text", "heading")),
    doc("b", "Drivers like battery swapping because it is quick.", "Battery swapping needs standard packs.",
        "Grid operators worry about peak demand from charging."),
    doc("c", "Peak demand is the grid's real problem, say operators.", "Costs matter less than speed."),
]


def test_variants_merge_and_cues_and_headings_are_left_out():
    found = theme_candidates(DOCS, THEMES)
    phrases = [p for p, _, _ in found]
    assert phrases[0] == "battery swapping"  # "Battery-Swapping" and "battery swapping" are one phrase
    assert found[0][1:] == (2, 3)  # 2 sources, 3 mentions (the heading is not counted)
    assert "peak demand" in phrases
    assert not any("price" in p or "cost" in p for p in phrases)  # covered by a theme's cues


def test_problems_for_editors():
    results = [SourceResult(d, (), tuple(assign_themes(d, THEMES))) for d in DOCS]
    results.append(SourceResult(doc("d", "Nothing here matches anything."), (), ()))
    problems = uncategorised_problems(results, theme_candidates(DOCS, THEMES))
    codes = [(p.code, p.path) for p in problems]
    assert ("no-theme", "seeds/b.txt") in codes and ("no-theme", "seeds/d.txt") in codes
    assert ("no-theme", "seeds/a.txt") not in codes
    assert any(code == "theme-candidate" for code, _ in codes)
    assert all(p.severity == "warning" for p in problems)


def test_lone_verbs_and_adjectives_are_not_theme_candidates():
    docs = [doc("a", "The ferry moved 900 cars through the harbour in May.", "A proprietary ticket system failed."),
            doc("b", "Critics say the ferry moved only 600 cars through the harbour.", "Its proprietary app is slow.")]
    phrases = [p for p, _, _ in theme_candidates(docs, THEMES)]
    assert "harbour" in phrases
    assert not [p for p in phrases if p.split()[-1] in ("moved", "proprietary")]  # "ferry moved" is no noun phrase
