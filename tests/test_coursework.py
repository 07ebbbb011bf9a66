"""The instructor kit: nbgrader assignments built from the chapters, graded end to end.

The fast tests build every chapter's assignment in memory (no nbgrader run), so a
new chapter whose exercises the tooling cannot read fails at once. The
``coursework`` tests run ``tools/assignments.py check`` on every chapter: release
with nbgrader, three synthetic submissions (correct, one planted bug, blank),
``nbgrader autograde``, CSV, and the expected scores.
"""

from __future__ import annotations

import csv
from concurrent.futures import ThreadPoolExecutor

import pytest

from tools import assignments
from tools.coursework import book_chapters

CHAPTERS = book_chapters()
IDS = [c.path.stem for c in CHAPTERS]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_every_exercise_becomes_a_graded_cell(chapter):
    a = assignments.build_assignment(chapter)
    cells = {c.metadata["nbgrader"]["grade_id"]: c for c in a.source.cells if "nbgrader" in c.metadata}
    assert len(a.exercises) == len(chapter.exercises)
    for ex, meta in zip(a.exercises, chapter.exercises):
        assert ex.label == meta.label and ex.self_checking == meta.self_checking
        assert ex.points == assignments.POINTS_PER_STAR * max(meta.difficulty, 1)
        answer = cells[ex.label]
        assert answer.metadata["nbgrader"]["solution"] is True
        assert "### BEGIN SOLUTION" in answer.source and "### END SOLUTION" in answer.source
        if ex.self_checking:
            assert answer.cell_type == "code"
            test = cells[f"test-{ex.label}"]
            assert test.metadata["nbgrader"]["points"] == ex.points and test.metadata["nbgrader"]["locked"]
            assert "### BEGIN HIDDEN TESTS" in test.source and "assert _result" in test.source
            compile(answer.source, ex.label, "exec")
        else:
            assert answer.cell_type == "markdown" and answer.metadata["nbgrader"]["grade"] is True
            assert answer.metadata["nbgrader"]["points"] == ex.points
            assert "**Rubric" in answer.source and "**Model answer.**" in answer.source
    assert sum(a.auto_points.values()) + sum(a.manual_points.values()) == sum(e.points for e in a.exercises)
    assert a.auto_points, f"{chapter.label} has nothing to grade automatically"


def test_a_mutated_solution_is_caught_by_its_check():
    chapter = next(c for c in CHAPTERS if c.label == "ch07")
    a = assignments.build_assignment(chapter)
    planted = assignments.plant_bug(a)
    assert planted is not None
    ex, functions, what = planted
    assert ex.self_checking and "->" in what


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    out = tmp_path_factory.mktemp("coursework")
    with ThreadPoolExecutor(max_workers=2) as pool:
        return {r["chapter"]: r for r in pool.map(lambda c: assignments.check_chapter(c, out), CHAPTERS)}


@pytest.mark.coursework
@pytest.mark.parametrize("stem", IDS)
def test_synthetic_submissions_get_the_expected_scores(checked, stem):
    result = checked[stem]
    assert result["got"] == result["expected"], f"{stem}: {result}"
    with open(result["csv"], newline="") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    assert set(rows) == set(result["expected"])
    for student, score in result["expected"].items():
        assert float(rows[student]["auto_score"]) == score
        assert float(rows[student]["max_score"]) == float(rows[student]["auto_max"]) + float(
            rows[student]["to_grade_by_hand"])
