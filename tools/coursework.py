"""What a chapter offers for coursework, read from its source.

The instructor's guide, the student edition and the tests all need the same
facts about a chapter: its title and label, the chapters it builds on, the
time it takes, and its exercises (title, label, difficulty, whether it checks
itself). They are read here from the MyST source, so the guide can never
drift from the chapters.

Conventions a chapter follows (see README, "Writing a chapter"):

- ``(chNN)=`` before the H1 title;
- in ``## Overview``, prerequisites as ``{ref}`chNN``` links and a sentence
  such as ``Time to work through: about N minutes``;
- exercises as sphinx-exercise gated directives (``exercise-start`` with a
  ``:label:``); a title's ★ count is its difficulty; an exercise with a code
  cell tagged ``scaffold`` is self-checking.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

__all__ = ["Exercise", "Chapter", "parse_chapter", "book_chapters", "ROOT"]

ROOT = Path(__file__).resolve().parents[1]  # the repository (tools/ lives at its top)

_FENCE_OPEN = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:-]+)\}\s*(?P<arg>.*)$")


@dataclass
class Exercise:
    label: str
    title: str
    difficulty: int
    self_checking: bool


@dataclass
class Chapter:
    path: Path
    label: str
    title: str
    prerequisites: list[str]
    minutes: int | None
    exercises: list[Exercise] = field(default_factory=list)
    #: the Overview's "you will be able to" bullets, roles stripped to their text
    goals: list[str] = field(default_factory=list)

    @property
    def number(self) -> int:
        return int(self.label[2:])


def _section(text: str, heading: str) -> str:
    match = re.search(rf"^## {re.escape(heading)}\s*$(.*?)(?=^## |\Z)", text, flags=re.M | re.S)
    return match.group(1) if match else ""


def parse_chapter(path: Path) -> Chapter:
    """Read a chapter's coursework facts from its MyST source."""
    text = Path(path).read_text()
    label = re.search(r"^\((ch\d\d)\)=\s*$", text, flags=re.M)
    title = re.search(r"^# (.+)$", text, flags=re.M)
    if not label or not title:
        raise ValueError(f"path {path} is not a chapter: it needs a (chNN)= label and an H1 title")
    overview = _section(text, "Overview")
    prerequisites = sorted(set(re.findall(r"\{ref\}`(ch\d\d)`", overview)) - {label.group(1)})
    minutes = re.search(r"(?i)\btime\b[^.\n]{0,40}?(\d+)\s*min", overview)
    exercises = []
    for block in re.finditer(
        r"^(`{3,}|:{3,})\{exercise-start\}\s*(.*?)\n(.*?)^(?:`{3,}|:{3,})\{exercise-end\}", text, flags=re.M | re.S
    ):
        title_text, body = block.group(2).strip(), block.group(3)
        ex_label = re.search(r"^:label:\s*(\S+)", body, flags=re.M)
        exercises.append(
            Exercise(
                label=ex_label.group(1) if ex_label else "",
                title=title_text,
                difficulty=title_text.count("★"),
                self_checking=bool(re.search(r"^:tags:.*\bscaffold\b", body, flags=re.M)),
            )
        )
    goals = []
    able = re.search(r"you will be able to\s*:?\s*\n\s*\n(.*?)(?:\n\s*\n|\Z)", overview, flags=re.S)
    if able:
        for item in re.split(r"\n- ", "\n" + able.group(1).strip()):
            item = " ".join(item.split()).strip(" -;.")
            item = re.sub(r"\{[\w:-]+\}`(?:[^`<]*<)?([^`>]*)>?`", r"\1", item)
            if item:
                goals.append(item)
    return Chapter(
        path=Path(path),
        label=label.group(1),
        title=title.group(1).strip(),
        prerequisites=prerequisites,
        minutes=int(minutes.group(1)) if minutes else None,
        exercises=exercises,
        goals=goals,
    )


def book_chapters(root: Path = ROOT) -> list[Chapter]:
    """The numbered chapters listed in ``_toc.yml``, in book order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    chapters = []
    for part in toc.get("parts", []):
        for entry in part.get("chapters", []):
            path = root / f"{entry['file']}.md"
            # a chapter listed before its file exists (being written) is skipped here;
            # tests/test_book.py fails on it in the real build
            if re.match(r"ch\d\d_", path.name) and path.is_file():
                chapters.append(parse_chapter(path))
    return chapters
