"""The student edition: no solution survives, every exercise does, and it runs to the first exercise."""

from __future__ import annotations

import re
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT
from tools.coursework import book_chapters
from tools.student_edition import ZIP_NAME, student_notebook, write_student_edition

CHAPTERS = book_chapters()
IDS = [c.path.stem for c in CHAPTERS]


def solution_code_blocks(text: str) -> list[str]:
    """Code cells between solution-start and solution-end, read straight from the source."""
    blocks = []
    for region in re.finditer(r"\{solution-start\}.*?\{solution-end\}", text, flags=re.S):
        for cell in re.finditer(r"```\{code-cell\}[^\n]*\n(.*?)^```", region.group(0), flags=re.S | re.M):
            body = re.sub(r"^(:\w+:.*|---\n.*?\n---)\n", "", cell.group(1), flags=re.S)
            if body.strip():
                blocks.append(body.strip())
    return blocks


@pytest.fixture(scope="module")
def edition(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("student")
    written = write_student_edition(out)
    assert len(written) == len(CHAPTERS)
    return out


def test_every_chapter_has_exercises_and_a_self_check():
    assert CHAPTERS, "no chapters in _toc.yml"
    for c in CHAPTERS:
        assert len(c.exercises) >= 3, f"{c.label} has {len(c.exercises)} exercises"
        assert any(e.self_checking for e in c.exercises), f"{c.label} has no self-checking exercise"
        assert all(e.label.startswith(f"ex-{c.label}-") for e in c.exercises), f"{c.label}: exercise labels"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_no_solution_survives(edition, chapter):
    nb = nbformat.read(edition / f"{chapter.path.stem}.ipynb", as_version=4)
    nbformat.validate(nb)
    text = "\n".join(cell.source for cell in nb.cells)
    assert "solution-start" not in text and "{solution}" not in text and "solution-end" not in text
    code = [cell.source.strip() for cell in nb.cells if cell.cell_type == "code"]
    for block in solution_code_blocks(chapter.path.read_text()):
        assert block not in code, f"solution code survived in {chapter.label}:\n{block[:200]}"
    assert not any("solution" in cell.metadata.get("tags", []) for cell in nb.cells)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_every_exercise_survives_with_its_scaffold(edition, chapter):
    nb = nbformat.read(edition / f"{chapter.path.stem}.ipynb", as_version=4)
    headings = [ln for cell in nb.cells if cell.cell_type == "markdown" for ln in cell.source.splitlines()
                if ln.startswith("### Exercise")]
    assert len(headings) == len(chapter.exercises)
    scaffolds = [cell for cell in nb.cells if "scaffold" in cell.metadata.get("tags", [])]
    assert len(scaffolds) == sum(e.self_checking for e in chapter.exercises)
    for cell in scaffolds:
        assert "skip-execution" not in cell.metadata.get("tags", [])
        assert "NotImplementedError" in cell.source


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_outputs_are_cleared(edition, chapter):
    nb = nbformat.read(edition / f"{chapter.path.stem}.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def test_the_zip_holds_every_notebook(edition):
    with zipfile.ZipFile(edition / ZIP_NAME) as zf:
        names = sorted(Path(n).name for n in zf.namelist())
    assert names == sorted(f"{stem}.ipynb" for stem in IDS)


def test_unbalanced_solution_is_refused(tmp_path):
    header = (ROOT / "book" / "notation.md").read_text().split("---\n")[1]
    bad = tmp_path / "ch99_bad.md"
    bad.write_text(f"---\n{header}---\n\n(ch99)=\n# Bad\n\n```{{solution-start}} ex-ch99-a\n:class: dropdown\n```\nsecret\n")
    with pytest.raises(ValueError, match="solution-end"):
        student_notebook(bad)


def run_until_first_exercise(path: str) -> tuple[str, str | None, int, int]:
    """Execute a student notebook cell by cell; stop at the first error.

    Returns (stem, error name or None, index of the failing cell or -1, index of the first scaffold or -1).
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    first_scaffold = next((i for i, c in enumerate(nb.cells) if "scaffold" in c.metadata.get("tags", [])), -1)
    client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "book")}})
    with client.setup_kernel():
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            try:
                client.execute_cell(cell, i)
            except CellExecutionError as exc:
                return Path(path).stem, exc.ename, i, first_scaffold
    return Path(path).stem, None, -1, first_scaffold


@pytest.fixture(scope="module")
def executions(edition):
    paths = [str(edition / f"{stem}.ipynb") for stem in IDS]
    with ProcessPoolExecutor(max_workers=2) as pool:
        return {stem: (err, at, first) for stem, err, at, first in pool.map(run_until_first_exercise, paths)}


@pytest.mark.student
@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_student_notebook_runs_to_its_first_exercise(executions, chapter):
    error, at, first_scaffold = executions[chapter.path.stem]
    assert first_scaffold >= 0
    assert error == "NotImplementedError", f"{chapter.label}: first error {error} in cell {at}"
    assert at == first_scaffold, f"{chapter.label}: failed in cell {at}, before its first exercise (cell {first_scaffold})"
