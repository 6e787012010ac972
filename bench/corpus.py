"""Synthetic briefing corpora of any size, for the benchmarks in ``bench/run.py``.

A corpus is a project folder (mkdocs.yml and templates/ copied from this repository,
seeds/ generated) whose sources look like the real ones: news-style articles with a
title, dates, publishers, figures (percentages, money, counts), quotes, entity names
from gazetteer.yml, sentences that carry the taxonomy's cue words, boilerplate lines a
cleaner must drop, and some near-duplicates of earlier articles. Everything comes from
one ``random.Random(seed)`` and sorted inputs, so a seed always gives the same bytes.

    python bench/corpus.py OUT_DIR --sources 1000 [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

_FALLBACK_ENTITIES = ["DeepSeek", "Alibaba", "Qwen", "Baidu", "Tencent", "ByteDance", "OpenAI", "ChatGPT",
                      "Anthropic", "Google", "Meta", "Llama", "Nvidia", "Huawei", "Microsoft", "Mistral",
                      "Zhipu AI", "Moonshot AI", "Kimi", "MiniMax"]
_FALLBACK_CUES = ["open-source", "cost", "price", "geopolitics", "rivalry", "chips", "export restrictions",
                  "adoption", "downloads", "performance", "benchmark", "reasoning"]
PUBLISHERS = ["Reuters", "The Economist", "Financial Times", "South China Morning Post", "Nikkei Asia",
              "Wired", "The Verge", "Bloomberg", "Al Jazeera", "Caixin", "MIT Technology Review", "TechCrunch"]
PEOPLE = ["Liang Wenfeng", "Jane Doe", "Wei Zhang", "Maria Garcia", "Tom Becker", "Aiko Tanaka",
          "Priya Natarajan", "Li Na", "Omar Haddad", "Sarah Klein", "Chen Bo", "Elena Petrova"]
ROLES = ["an analyst at a Beijing consultancy", "a researcher at a university lab", "the company's chief executive",
         "a venture investor", "a former trade official", "an engineer who builds on the models"]
MEASURES = ["of global downloads", "market share", "lower inference cost", "of enterprises surveyed",
            "accuracy on the benchmark", "of new model releases", "growth in users", "of developers"]
MONEY_WHAT = ["in funding", "in training costs", "in annual revenue", "in data-centre spending",
              "in chip purchases", "in government subsidies"]
COUNT_WHAT = ["downloads", "derivatives", "enterprises", "developers", "users", "models", "GPUs"]
FILLER = [
    "The shift has been gradual but visible across the industry.",
    "Observers say the trend is likely to continue over the coming year.",
    "Several companies declined to comment on their plans.",
    "The figures could not be independently verified.",
    "Policy makers in several capitals are watching closely.",
    "Developers have responded by building tools on top of the releases.",
    "Critics argue the comparison leaves out important costs.",
    "The debate has moved from research labs to boardrooms.",
    "Smaller firms see an opening that did not exist two years ago.",
    "Regulators have yet to settle on a common approach.",
]
BOILERPLATE = ["Advertisement", "Subscribe to our newsletter for the latest updates.",
               "Share this article", "All rights reserved.", "Read more: related coverage",
               "Sign up for our daily briefing", "Cookie settings"]


def load_entities(root: Path = ROOT) -> list[str]:
    """Canonical names and aliases from gazetteer.yml, or a built-in list if there is none."""
    path = root / "gazetteer.yml"
    try:
        entries = yaml.safe_load(path.read_text("utf-8")) if path.exists() else None
    except yaml.YAMLError:
        entries = None
    names: set[str] = set()
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and entry.get("name"):
            names.add(str(entry["name"]))
            names.update(str(a) for a in entry.get("aliases") or [])
    return sorted(names) or list(_FALLBACK_ENTITIES)


def load_cues(root: Path = ROOT) -> list[str]:
    """The taxonomy's cue phrases from mkdocs.yml (so generated sentences get themes)."""
    text = (root / "mkdocs.yml").read_text("utf-8")
    cues: list[str] = []
    for match in re.finditer(r"cues:\s*\[([^\]]*)\]", text):
        cues += [c.strip() for c in match.group(1).split(",") if c.strip()]
    return sorted(set(cues)) or list(_FALLBACK_CUES)


class CorpusWriter:
    """Generates articles one by one from a single seeded random stream."""

    def __init__(self, seed: int, root: Path = ROOT) -> None:
        self.rng = random.Random(seed)
        self.entities = load_entities(root)
        self.cues = load_cues(root)
        self.written: list[str] = []  # bodies, for near-duplicates

    def _percent(self) -> str:
        rng = self.rng
        value = rng.choice([rng.randint(1, 99), round(rng.uniform(0.5, 99), 1)])
        return f"{value}% {rng.choice(MEASURES)}"

    def _money(self) -> str:
        rng = self.rng
        return f"${rng.randint(1, 900)} {rng.choice(['million', 'billion'])} {rng.choice(MONEY_WHAT)}"

    def _count(self) -> str:
        rng = self.rng
        return f"{rng.choice(['more than ', 'about ', ''])}{rng.randint(2, 999):,}{rng.choice([',000', '', ' million'])} " \
               f"{rng.choice(COUNT_WHAT)}"

    def sentence(self) -> str:
        rng = self.rng
        a, b = rng.sample(self.entities, 2)
        cue = rng.choice(self.cues)
        kind = rng.random()
        if kind < 0.30:
            figure = rng.choice([self._percent, self._money, self._count])()
            return rng.choice([
                f"{a} reported {figure}, according to people familiar with its {cue} plans.",
                f"By one estimate, {b} now accounts for {figure}, a sign of its {cue} push.",
                f"Analysts put the figure at {figure} for {a}, citing {cue} as the main driver.",
            ])
        if kind < 0.42:
            person, role = rng.choice(PEOPLE), rng.choice(ROLES)
            return (f"\u201cThe {cue} question is no longer whether {a} can compete, but how fast,\u201d "
                    f"said {person}, {role}.")
        if kind < 0.75:
            return rng.choice([
                f"{a} and {b} have both moved on {cue}, though in different ways.",
                f"The {cue} debate has put {a} at the centre of attention this year.",
                f"For {b}, {cue} has become a question of strategy rather than engineering.",
                f"Rivals such as {a} are weighing how {cue} changes their position against {b}.",
            ])
        return rng.choice(FILLER)

    def article(self, index: int) -> tuple[str, str]:
        """(file name, content) of article ``index``."""
        rng = self.rng
        year, month, day = rng.randint(2023, 2025), rng.randint(1, 12), rng.randint(1, 28)
        topic = rng.choice(self.entities)
        title = f"{topic} and the {rng.choice(self.cues)} race: report {index}"
        if self.written and rng.random() < 0.05:  # a near-duplicate: another outlet's copy
            body = rng.choice(self.written).replace("reported", "said it had", 1)
        else:
            paragraphs = []
            for _ in range(rng.randint(6, 11)):
                paragraphs.append(" ".join(self.sentence() for _ in range(rng.randint(3, 6))))
                if rng.random() < 0.15:
                    paragraphs.append(rng.choice(BOILERPLATE))
            body = "\n\n".join(paragraphs)
            self.written.append(body)
            if len(self.written) > 50:
                self.written.pop(0)
        name = f"a{index:06d}"
        if rng.random() < 0.5:
            front = (f"---\ntitle: \"{title}\"\ndate: {year}-{month:02d}-{day:02d}\n"
                     f"publisher: {rng.choice(PUBLISHERS)}\nauthor: {rng.choice(PEOPLE)}\n---\n")
            return f"{name}.md", front + body + "\n"
        return f"{name}.txt", f"{title}\n{rng.choice(PUBLISHERS)}, {day} {_MONTHS[month - 1]} {year}\n\n{body}\n"


_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"]


def write_articles(seeds_dir: Path, count: int, seed: int, start: int = 0) -> list[Path]:
    """Write articles ``start .. start+count-1`` of the corpus for ``seed`` into ``seeds_dir``.

    Article i is the same whatever ``start`` is: the stream is replayed from the beginning."""
    writer = CorpusWriter(seed)
    seeds_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(start + count):
        name, content = writer.article(index)
        if index >= start:
            path = seeds_dir / name
            path.write_text(content, "utf-8")
            paths.append(path)
    return paths


def make_corpus(where: Path, sources: int, seed: int = 1) -> Path:
    """A buildable project folder with ``sources`` generated sources; returns it."""
    if where.exists():
        shutil.rmtree(where)
    where.mkdir(parents=True)
    shutil.copytree(ROOT / "templates", where / "templates")
    shutil.copy(ROOT / "mkdocs.yml", where / "mkdocs.yml")
    if (ROOT / "gazetteer.yml").exists():
        shutil.copy(ROOT / "gazetteer.yml", where / "gazetteer.yml")
    write_articles(where / "seeds", sources, seed)
    return where


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="project folder to create (replaced if it exists)")
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    make_corpus(args.out, args.sources, args.seed)
    print(f"{args.out}: {args.sources} sources (seed {args.seed})")


if __name__ == "__main__":
    main()
