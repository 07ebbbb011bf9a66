"""Every proof in the book can fail: mutate a definition, watch the proof cell raise.

The conventions are those of the proof-mutation contract:

- the code cell that holds the final assertion of the proof of a labelled
  theorem or lemma ``label`` carries the cell tag ``proof-<label>``;
- ``tests/proof_mutants/*.py`` each define ``MUTANTS``, a list of dicts
  ``dict(label=..., chapter="chNN_name.md", old=..., new=..., why=...)``;
- for each mutant, ``old`` must occur exactly once in the chapter's source (so
  the table cannot rot); it is replaced by ``new``, and the chapter's code
  cells run in a fresh kernel from the top through the ``proof-<label>`` cell,
  skipping cells tagged ``mutation-skip`` or ``skip-execution``. The run must
  stop with an ``AssertionError``;
- the unmutated chapter, run the same way through its last proof cell, must pass.

Select it with ``pytest -m mutation``.
"""

from __future__ import annotations

import importlib.util
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

pytestmark = pytest.mark.mutation

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
MUTANT_DIR = Path(__file__).resolve().parent / "proof_mutants"
SKIP_TAGS = {"mutation-skip", "skip-execution"}
CELL_TIMEOUT = 120  # seconds; the slowest proof cell takes a few seconds
#: Kernels run side by side, one per core (each job is one fresh kernel).
WORKERS = int(os.environ.get("GAEBOOK_MUTATION_WORKERS", "2"))

#: The eight labelled theorems of Parts I–III; each needs at least two mutants.
THEOREMS = (
    "thm-score-function",
    "thm-pg-trajectory",
    "thm-baseline-zero-mean",
    "thm-kstep-telescoping",
    "thm-gae-weighted-average",
    "thm-gae-lambda-return",
    "thm-gamma-just",
    "thm-offline-equivalence",
)
MIN_MUTANTS_PER_THEOREM = 2


def _load_mutants():
    mutants = []
    for path in sorted(MUTANT_DIR.glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"proof_mutants_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for index, mutant in enumerate(module.MUTANTS):
            missing = {"label", "chapter", "old", "new", "why"} - set(mutant)
            assert not missing, f"{path.name} mutant {index} lacks {sorted(missing)}"
            mutants.append({**mutant, "table": path.name, "index": index})
    return mutants


MUTANTS = _load_mutants()


def _mutant_id(mutant):
    chapter = mutant["chapter"].split("_")[0]
    return f"{mutant['label']}-{chapter}-{mutant['table'][:-3]}#{mutant['index']}"


def _tags(cell):
    return set(cell.get("metadata", {}).get("tags", []))


def _proof_labels(notebook):
    return [tag[len("proof-"):] for cell in notebook.cells for tag in _tags(cell)
            if tag.startswith("proof-")]


def _cells_through(notebook, label):
    """The code cells to run: from the top through the cell tagged proof-<label>."""
    tag = f"proof-{label}"
    cells = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        tags = _tags(cell)
        if tag in tags:
            assert not tags & SKIP_TAGS, f"the cell tagged {tag} must not be skipped"
            cells.append(cell)
            return cells
        if not tags & SKIP_TAGS:
            cells.append(cell)
    raise AssertionError(f"no code cell is tagged {tag}")


def _run(source, label):
    """Run the chapter's cells through the proof of ``label`` in a fresh kernel.

    Returns None if every cell ran, else ``(name, traceback)`` of the exception
    that stopped it.
    """
    notebook = jupytext.reads(source, fmt="md:myst")
    cells = _cells_through(notebook, label)
    run_nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c.source) for c in cells])
    run_nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
    client = NotebookClient(run_nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": str(BOOK)}},
                            allow_errors=False)
    try:
        client.execute()
    except CellExecutionError as error:
        return error.ename, str(error)[-1500:]
    return None


def _chapters_with_proofs():
    chapters = {m["chapter"] for m in MUTANTS}
    for path in sorted(BOOK.glob("ch*.md")):
        notebook = jupytext.reads(path.read_text(encoding="utf-8"), fmt="md:myst")
        if _proof_labels(notebook):
            chapters.add(path.name)
    return sorted(chapters)


def _mutant_job(mutant):
    """(source, label) to run for a mutant, or None if its text is not found exactly once."""
    source = (BOOK / mutant["chapter"]).read_text(encoding="utf-8")
    if source.count(mutant["old"]) != 1:
        return None
    return source.replace(mutant["old"], mutant["new"]), mutant["label"]


def _chapter_job(chapter):
    """(source, label of the chapter's last proof cell) for the unmutated chapter."""
    source = (BOOK / chapter).read_text(encoding="utf-8")
    labels = _proof_labels(jupytext.reads(source, fmt="md:myst"))
    return (source, labels[-1]) if labels else None


@pytest.fixture(scope="session")
def outcomes(request):
    """Start every selected kernel run at once, WORKERS at a time; tests wait for theirs."""
    jobs = {}
    for item in request.session.items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if getattr(getattr(item, "module", None), "__name__", None) != __name__:
            continue  # another test module
        if "mutant" in params:
            jobs[item.nodeid] = _mutant_job(params["mutant"])
        elif "chapter" in params:
            jobs[item.nodeid] = _chapter_job(params["chapter"])
    with ProcessPoolExecutor(max_workers=WORKERS) as pool:
        futures = {node: pool.submit(_run, *job) for node, job in jobs.items() if job}
        yield futures
        for future in futures.values():
            future.cancel()


@pytest.mark.parametrize("mutant", MUTANTS, ids=[_mutant_id(m) for m in MUTANTS])
def test_mutated_definition_makes_the_proof_fail(mutant, outcomes, request):
    source = (BOOK / mutant["chapter"]).read_text(encoding="utf-8")
    count = source.count(mutant["old"])
    assert count == 1, (f"{mutant['table']} #{mutant['index']}: the text to mutate occurs "
                        f"{count} times in {mutant['chapter']} (must be exactly once)")
    assert mutant["new"] != mutant["old"]
    outcome = outcomes[request.node.nodeid].result()
    assert outcome is not None and outcome[0] == "AssertionError", (
        f"mutant '{mutant['why']}' of {mutant['label']} in {mutant['chapter']}: "
        f"expected an AssertionError from the proof, got "
        f"{'no error' if outcome is None else outcome[1]}")


@pytest.mark.parametrize("chapter", _chapters_with_proofs())
def test_unmutated_chapter_passes_its_proofs(chapter, outcomes, request):
    source = (BOOK / chapter).read_text(encoding="utf-8")
    labels = _proof_labels(jupytext.reads(source, fmt="md:myst"))
    assert labels, f"{chapter} has mutants but no cell tagged proof-<label>"
    # run through the last proof cell, which covers every proof of the chapter
    outcome = outcomes[request.node.nodeid].result()
    assert outcome is None, f"{chapter} raised before its last proof cell:\n{outcome[1]}"


def test_every_theorem_has_enough_mutants():
    counts = {label: 0 for label in THEOREMS}
    for mutant in MUTANTS:
        if mutant["label"] in counts:
            counts[mutant["label"]] += 1
    short = {label: n for label, n in counts.items() if n < MIN_MUTANTS_PER_THEOREM}
    assert not short, f"theorems with fewer than {MIN_MUTANTS_PER_THEOREM} mutants: {short}"


def test_every_mutated_label_has_a_proof_cell():
    for mutant in MUTANTS:
        source = (BOOK / mutant["chapter"]).read_text(encoding="utf-8")
        labels = _proof_labels(jupytext.reads(source, fmt="md:myst"))
        assert mutant["label"] in labels, (
            f"{mutant['chapter']} has no cell tagged proof-{mutant['label']}")
