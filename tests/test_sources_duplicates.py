"""Near-duplicate sources are detected, reported naming both files, and counted once."""

import json
from array import array
import random
from pathlib import Path

from conftest import build_in_process, make_project
from generator.duplicates import (CONTAINMENT, DIRECT_LIMIT, JACCARD, MIN_SHINGLES, find_pairs, near_duplicate_pairs,
                                 overlap, packed, shingles)
from generator.models import SourceFile
from generator.normalise import normalise

FIXTURES = Path(__file__).parent / "fixtures" / "sources"
WIRE = (FIXTURES / "wire_story.txt").read_text("utf-8")
COPY = (FIXTURES / "wire_story_copy.md").read_text("utf-8")
OTHER = (FIXTURES / "ontopic_sections.txt").read_text("utf-8")
WORDS = sorted(set(WIRE.split() + OTHER.split()))


def doc(source_id: str, text: str):
    return normalise(SourceFile(path=f"seeds/{source_id}.txt", id=source_id, kind="txt", text=text, encoding="utf-8"))


def test_shingles_ignore_case_and_punctuation():
    assert shingles("One two, three FOUR five six.") == shingles("one two three four five six")
    assert len(shingles("one two three four five six")) == 2
    assert shingles("too short") == frozenset()


def test_overlap_measures():
    a, b = shingles(WIRE), shingles(WIRE + " One more closing sentence added by the second paper.")
    jaccard, containment = overlap(a, b)
    assert containment == 1.0 and 0.8 < jaccard < 1.0


def test_same_article_twice_is_a_pair_other_articles_are_not():
    docs = [doc("b-copy", WIRE.replace("Thursday", "Thursday evening")), doc("a-wire", WIRE), doc("c", OTHER)]
    pairs = near_duplicate_pairs(docs)
    assert [(kept.id, dup.id) for kept, dup, _ in pairs] == [("a-wire", "b-copy")]


def test_truncated_syndicated_copy_is_a_duplicate():
    first_half = "\n\n".join(WIRE.split("\n\n")[:3])
    pairs = near_duplicate_pairs([doc("full", WIRE), doc("short", first_half)])
    assert [(k.id, d.id) for k, d, _ in pairs] == [("full", "short")]


def test_build_reports_duplicate_and_counts_it_once(tmp_path, capsys):
    project = make_project(tmp_path / "p", {"wire.txt": WIRE, "wire_copy.md": COPY, "water.txt": OTHER})
    assert build_in_process(project) == 0
    err = capsys.readouterr().err
    assert "seeds/wire_copy.md: warning: near-duplicate of seeds/wire.txt" in err
    data = json.loads((project / "site" / "briefing.json").read_text("utf-8"))
    assert sorted(s["id"] for s in data["sources"]) == ["water", "wire"]
    assert [p["code"] for p in data["problems"]].count("near-duplicate") == 1
    assert {f["source"] for f in data["figures"]} <= {"water", "wire"}


def _brute_force_pairs(docs):
    """Every pair compared in full, then the same keep-the-first rule: what near_duplicate_pairs must equal."""
    ordered = sorted(docs, key=lambda d: d.id)
    sets = [shingles(d.text) for d in ordered]
    pairs, duplicate = [], set()
    for i, a in enumerate(sets):
        if i in duplicate or len(a) < MIN_SHINGLES:
            continue
        for j in range(i + 1, len(sets)):
            if j not in duplicate and len(sets[j]) >= MIN_SHINGLES:
                jaccard, containment = overlap(a, sets[j])
                if jaccard >= JACCARD or containment >= CONTAINMENT:
                    duplicate.add(j)
                    pairs.append((ordered[i].id, ordered[j].id, containment))
    return pairs


def test_pairs_equal_comparing_every_pair_on_random_overlapping_texts():
    """Texts built from a small stock of sentences share many shingles, some nearly all: the
    prefix filter must find exactly the pairs a full comparison finds."""
    rng = random.Random(8)
    stock = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))) + "." for _ in range(60)]
    texts = [[rng.choice(stock) for _ in range(rng.randint(4, 30))] for _ in range(40)]
    for base in texts[:30]:  # copies: cut short, extended, partly rewritten
        copy = base[:max(3, int(len(base) * rng.uniform(0.6, 1.0)))]
        copy += [rng.choice(stock) for _ in range(rng.randint(0, 4))]
        for _ in range(rng.randint(0, len(copy) // 4)):
            copy[rng.randrange(len(copy))] = rng.choice(stock)
        texts.append(copy)
    fresh = [f"{rng.choice(WORDS)} {rng.choice(WORDS)} item {n} {rng.choice(WORDS)} {rng.choice(WORDS)}." for n in range(900)]
    base = fresh[:40]
    for rewritten in range(16):  # the same length, 0-40% rewritten: Jaccard either side of 0.6
        copy = list(base)
        for position in rng.sample(range(40), rewritten):
            copy[position] = fresh.pop()
        texts.append(copy)
    docs = [doc(f"s{i:03d}", " ".join(sentences)) for i, sentences in enumerate(texts)]
    expected = _brute_force_pairs(docs)
    assert len(expected) >= 10
    assert [(k.id, d.id, share) for k, d, share in near_duplicate_pairs(docs)] == expected


def test_empty_and_short_texts_pair_with_nothing_in_either_search():
    """Texts with no shingles, or too few to judge, beside real pairs: the search over every set and
    the rebuild's direct comparison of a few new ones find what comparing every pair finds."""
    docs = _random_texts(3, 40) + [doc("z0", ""), doc("z1", "too short"), doc("z2", WIRE), doc("z3", WIRE)]
    assert len(docs) - 1 > DIRECT_LIMIT
    assert [(k.id, d.id, share) for k, d, share in near_duplicate_pairs(docs)] == _brute_force_pairs(docs)
    known = find_pairs(docs[:-3])  # z1 (too short), z2 and z3 (a pair) are new to it
    assert find_pairs(docs, known) == find_pairs(docs)
    assert not find_pairs([doc(f"y{i}", "") for i in range(40)]).pairs  # every set empty


def test_a_story_syndicated_many_times_is_found_however_often():
    """Fifty copies among few sources: every copy's shingles are common, and still each copy is one pair."""
    copies = [doc(f"copy-{i:02d}", WIRE) for i in range(50)]
    pairs = near_duplicate_pairs(copies + [doc("other", OTHER)])
    assert [(k.id, d.id) for k, d, _ in pairs] == [("copy-00", f"copy-{i:02d}") for i in range(1, 50)]


def test_a_pair_sharing_just_enough_is_found_when_the_smaller_misses_its_rarest():
    """The smaller text's shingles the larger lacks are its rarest (its own): the prefix filter's
    bound is tight here, and the pair (Jaccard just over 0.6) must still be found."""
    rng = random.Random(3)
    fresh = [f"{rng.choice(WORDS)} {rng.choice(WORDS)} item {n} {rng.choice(WORDS)}." for n in range(200)]
    smaller = fresh[:40]
    larger = fresh[40:49] + smaller[9:] + fresh[60:62]  # its first 9 sentences rewritten, 2 added
    a, b = shingles(" ".join(smaller)), shingles(" ".join(larger))
    jaccard, containment = overlap(a, b)
    assert len(a) < len(b) and 0.6 <= jaccard < 0.62 and containment < CONTAINMENT
    pairs = near_duplicate_pairs([doc("a", " ".join(smaller)), doc("b", " ".join(larger))])
    assert [(k.id, d.id) for k, d, _ in pairs] == [("a", "b")]


def _random_texts(seed: int, count: int) -> list:
    """Texts from a small stock of sentences, many of them copies cut, extended or rewritten."""
    rng = random.Random(seed)
    stock = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))) + "." for _ in range(60)]
    texts = [[rng.choice(stock) for _ in range(rng.randint(4, 30))] for _ in range(count // 2)]
    for base in list(texts):
        copy = base[:max(3, int(len(base) * rng.uniform(0.6, 1.0)))] + [rng.choice(stock) for _ in range(rng.randint(0, 4))]
        texts.append(copy)
    rng.shuffle(texts)
    return [doc(f"s{i:03d}", " ".join(sentences)) for i, sentences in enumerate(texts)]


def test_a_rebuild_finds_the_same_pairs_from_what_the_last_build_found():
    """Sources added, removed and edited since the last build: only the new ones are compared
    with the others, and the pairs are those a search of all of them finds."""
    docs = _random_texts(5, 80)
    before = docs[:60]
    edited = doc(docs[3].id, docs[3].text + " A sentence added by the editor at the very end.")
    after = [edited] + docs[4:50] + docs[60:70]  # three removed, one edited, ten added
    known = find_pairs(before)
    assert len(after) - 46 <= DIRECT_LIMIT
    incremental = find_pairs(after, known)
    assert incremental == find_pairs(after)
    assert len(incremental.pairs) >= 5
    assert near_duplicate_pairs(after, incremental) == near_duplicate_pairs(after)
    assert find_pairs(after, incremental) == incremental  # nothing new: nothing compared


def test_a_copy_of_a_known_text_under_a_new_name_is_compared():
    """Documents are known by id and text, so the same text added again is new and pairs."""
    known = find_pairs([doc("a", WIRE), doc("c", OTHER)])
    pairs = near_duplicate_pairs([doc("a", WIRE), doc("b", WIRE), doc("c", OTHER)],
                                 find_pairs([doc("a", WIRE), doc("b", WIRE), doc("c", OTHER)], known))
    assert [(k.id, d.id) for k, d, _ in pairs] == [("a", "b")]


def test_the_pairs_kept_for_the_next_build_are_checked_before_they_are_believed(tmp_path):
    """A damaged or foreign pairs file in the cache means a full search, never a wrong pair."""
    from generator.cache import SourceCache

    project = make_project(tmp_path / "p", {"wire.txt": WIRE, "wire_copy.md": COPY, "water.txt": OTHER})
    assert build_in_process(project) == 0
    cache = SourceCache.for_project(project)
    kept = cache.read_compared_pairs()
    assert kept is not None and len(kept.documents) == 3 and len(kept.pairs) == 1
    expected = (project / "site" / "briefing.json").read_bytes()
    pairs_file = next((project / ".briefing-cache").glob("near-duplicates-*.json"))
    entry = json.loads(pairs_file.read_text("utf-8"))
    damages = ["{{{ not json", json.dumps(dict(entry, code="another generator", pairs=[])),
               json.dumps(dict(entry, pairs=[["a", "b", "0.9"]])), json.dumps(dict(entry, documents=None)),
               json.dumps(dict(entry, documents=[], pairs=[]))]  # the last knows no source: all are compared
    for damage in damages:
        pairs_file.write_text(damage, "utf-8")
        assert build_in_process(project) == 0
        assert (project / "site" / "briefing.json").read_bytes() == expected
        assert cache.read_compared_pairs() == kept


def test_shingles_are_the_same_numbers_in_every_process():
    """The map works the shingles out and the cache keeps them for later builds, so they must not
    depend on the process's string hashing (PYTHONHASHSEED)."""
    import os
    import subprocess
    import sys

    program = "import sys; from generator.duplicates import packed, shingles; " \
              "sys.stdout.write(packed(shingles(sys.stdin.read())).hex())"
    made = {subprocess.run([sys.executable, "-c", program], input=WIRE, capture_output=True, text=True, check=True,
                           env=dict(os.environ, PYTHONHASHSEED=seed)).stdout for seed in ("1", "2", "random")}
    assert made == {packed(shingles(WIRE)).hex()}
    assert list(array("q", packed(shingles(WIRE)))) == sorted(shingles(WIRE)) and len(shingles(WIRE)) > MIN_SHINGLES


def test_pairs_found_from_the_maps_shingles_are_those_found_from_the_texts():
    docs = _random_texts(7, 60)
    shingled = {d.id: packed(shingles(d.text)) for d in docs}
    assert find_pairs(docs, None, shingled) == find_pairs(docs)
    known = find_pairs(docs[:50])
    assert find_pairs(docs, known, shingled) == find_pairs(docs, known) == find_pairs(docs)


def test_results_made_without_the_map_are_shingled_from_their_text():
    """A result made another way than by the map has no shingles: assembling shingles its text
    instead of taking it for an empty one that pairs with nothing."""
    from generator.assemble import assemble
    from generator.models import SourceResult

    results = [SourceResult(doc(source_id, WIRE), (), ()) for source_id in ("a", "b")]
    briefing = assemble("t", results, (), [])
    assert [r.document.id for r in briefing.results] == ["a"]
    assert [p.code for p in briefing.problems if p.code == "near-duplicate"] == ["near-duplicate"]
