"""A student's path: the site's downloads run in a fresh venv that holds only the student set.

From a folder outside the repository, a new venv gets ``requirements-student.txt``
and the ``gaebook`` wheel, both as published with the built site, and then every
chapter's ``.ipynb`` download (``_sources/book/chNN_*.ipynb``) executes end to end
with nbclient (two notebooks at a time), in that venv's own kernel.

Select it with ``-m student``. It uses the session's strict build (``book_html``),
or an already built site: ``GAEBOOK_SITE=_build/html pytest -m student
tests/test_student_path.py``. Set ``PIP_CACHE_DIR`` (pip's own cache, kept by CI
between runs) or ``PIP_FIND_LINKS=<wheelhouse>`` so the set is not downloaded again.
The install time and the venv's size are written to ``_build/student-path.txt``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import venv
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import ROOT
from tools.coursework import book_chapters

pytestmark = pytest.mark.student

CHAPTERS = book_chapters()
IDS = [c.path.stem for c in CHAPTERS]

RUNNER = r'''
import json, sys, time, traceback
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

path, workdir = sys.argv[1], sys.argv[2]
nb = nbformat.read(path, as_version=4)
start = time.perf_counter()
try:
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": workdir}}).execute()
    error = None
except CellExecutionError as exc:
    error = str(exc)[-3000:]
except Exception:
    error = traceback.format_exc()[-3000:]
print(json.dumps({"error": error, "seconds": time.perf_counter() - start}))
'''


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink()) / 2**20


@pytest.fixture(scope="module")
def site(request) -> Path:
    given = os.environ.get("GAEBOOK_SITE")
    return Path(given).resolve() if given else request.getfixturevalue("book_html")


@pytest.fixture(scope="module")
def student_env(site, tmp_path_factory) -> tuple[Path, Path]:
    """A fresh venv with only the student set and the published wheel; a work folder outside the repo."""
    home = tmp_path_factory.mktemp("student-path")
    assert ROOT not in home.parents, "the student path must run outside the repository"
    wheels = sorted((site / "dist").glob("gaebook-*.whl"))
    assert len(wheels) == 1, f"the site must publish exactly one gaebook wheel, found {wheels}"
    requirements = site / "requirements-student.txt"
    assert requirements.is_file(), "the site does not publish requirements-student.txt"
    env_dir = home / "venv"
    venv.create(env_dir, with_pip=True, clear=True)
    python = env_dir / "bin" / "python"
    clean_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    start = time.perf_counter()
    proc = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "-r", str(requirements), str(wheels[0])],
        cwd=home, capture_output=True, text=True, env=clean_env,
    )
    seconds = time.perf_counter() - start
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = ROOT / "_build" / "student-path.txt"
    report.parent.mkdir(exist_ok=True)
    report.write_text(f"student set + wheel: installed in {seconds:.0f} s, venv {_size_mb(env_dir):.0f} MB\n")
    where = subprocess.run([str(python), "-c", "import gaebook, sys; print(gaebook.__file__)"],
                           cwd=home, capture_output=True, text=True, env=clean_env).stdout.strip()
    assert where.startswith(str(env_dir)), f"gaebook imported from {where}, not from the student venv"
    listed = subprocess.run([str(python), "-m", "pip", "list", "--format=json"], capture_output=True,
                            text=True, env=clean_env).stdout
    names = {p["name"].lower() for p in json.loads(listed)}
    assert not names & {"jupyter-book", "sphinx", "myst-nb", "nbgrader", "playwright", "pytest"}, names
    work = home / "work"
    work.mkdir()
    return python, work


@pytest.fixture(scope="module")
def executions(site, student_env) -> dict:
    python, work = student_env
    runner = work.parent / "run_notebook.py"
    runner.write_text(RUNNER)
    clean_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    clean_env["MPLBACKEND"] = "Agg"

    def run(stem: str) -> tuple[str, dict]:
        notebook = site / "_sources" / "book" / f"{stem}.ipynb"
        if not notebook.is_file():
            return stem, {"error": f"no download at {notebook}", "seconds": 0.0}
        proc = subprocess.run([str(python), str(runner), str(notebook), str(work)], cwd=work,
                              capture_output=True, text=True, env=clean_env)
        try:
            return stem, json.loads(proc.stdout.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            return stem, {"error": proc.stdout[-2000:] + proc.stderr[-2000:], "seconds": 0.0}

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(pool.map(run, IDS))
    with (ROOT / "_build" / "student-path.txt").open("a") as f:
        for stem, res in results.items():
            f.write(f"{res['seconds']:6.1f} s  {stem}  {'ok' if res['error'] is None else 'FAILED'}\n")
    return results


@pytest.mark.parametrize("stem", IDS)
def test_chapter_download_runs_end_to_end_in_the_student_venv(executions, stem):
    result = executions[stem]
    assert result["error"] is None, f"{stem} failed in the student venv:\n{result['error']}"
