"""The instructor kit: per-chapter assignments graded by nbgrader.

``make coursework`` (``python tools/assignments.py release``) writes, for every
chapter of ``_toc.yml``, to ``_build/coursework/<chapter>/``:

- ``student/<chapter>.ipynb``: the student release made by ``nbgrader
  generate_assignment``: the chapter's exercises with their points, no
  solutions; a self-checking exercise keeps its function stub and visible
  self-check, a written one gets an answer cell (graded by hand);
- ``instructor/<chapter>.ipynb``: the same worksheet with the solutions, the
  hidden tests and, for each written exercise, a model answer and a rubric;
- ``course/``: the nbgrader course folder (``source/``, ``release/``, gradebook).

Nothing here is typed into the chapters: exercises, stubs and solutions are
read from the chapter's MyST source (``exercise-start``/``solution-start``
blocks, the cell tagged ``scaffold``); points are 2 per ★; the hidden test of a
self-checking exercise runs the chapter's ``check_*`` function with
``quiet=True`` on a seed the student has not seen (when the check takes one).

``python tools/assignments.py grade ch07 SUBMISSIONS/ --out grades.csv`` grades a
folder of submitted notebooks (one ``<student>.ipynb`` each) with ``nbgrader
autograde`` and writes one CSV row per student: points per auto-graded exercise,
the automatic total, the points still to grade by hand, the maximum.

``make coursework-check`` (``python tools/assignments.py check``) runs the whole
flow on three synthetic submissions per chapter, a correct one, one with a single
planted bug (an operator or constant mutated in the first self-checked solution,
chosen so that its self-check fails) and a blank one, and requires the scores
``auto_max``, ``auto_max - points(bugged exercise)`` and ``0``.

Why nbgrader (pinned in requirements.txt): it grades in the instructor's own
Python environment, so it works without Docker (otter-grader's ``otter grade``,
the command that grades a folder into a CSV, runs each submission in a Docker
container); hidden tests, points per cell and hand-graded answer cells are
part of its notebook format, and it keeps a gradebook that a CSV is read from.
"""

from __future__ import annotations

import argparse
import ast
import copy
import csv
import inspect
import json
import re
import shutil
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import jupytext
import nbformat

if __package__ in (None, ""):  # run as a script: python tools/assignments.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tools.coursework import ROOT, book_chapters  # noqa: E402
from tools.student_edition import _source_context, downloads, site_url  # noqa: E402

OUT = ROOT / "_build" / "coursework"
POINTS_PER_STAR = 2
HIDDEN_SEED = 10_000
_DIRECTIVE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>exercise-start|exercise-end|solution-start|solution-end)\}\s*(?P<arg>.*)$")


# --------------------------------------------------------------------------- reading a chapter


@dataclass
class ExerciseSource:
    label: str
    title: str
    number: str  # "7.2"
    stars: int
    text: list[str] = field(default_factory=list)  # MyST lines of the statement
    scaffold: str | None = None
    solution_text: list[str] = field(default_factory=list)
    solution_code: list[str] = field(default_factory=list)

    @property
    def points(self) -> int:
        return POINTS_PER_STAR * max(self.stars, 1)

    @property
    def self_checking(self) -> bool:
        return self.scaffold is not None


def read_exercises(path: Path, chapter_number: int) -> tuple[list[ExerciseSource], str]:
    """The chapter's exercises with statements, scaffolds and solutions, and its first code cell."""
    nb = jupytext.read(path)
    items: list[tuple] = []
    first_code = None
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            items.extend(("line", ln) for ln in cell.source.split("\n"))
            items.append(("line", ""))
        elif cell.cell_type == "code":
            if first_code is None:
                first_code = cell.source
            items.append(("code", cell.source, list(cell.metadata.get("tags", []))))
    exercises: dict[str, ExerciseSource] = {}
    order: list[str] = []
    state, current = None, None
    i = 0
    while i < len(items):
        item = items[i]
        if item[0] == "line" and (m := _DIRECTIVE.match(item[1].strip())):
            fence, name, arg = m.group("fence"), m.group("name"), m.group("arg").strip()
            options = {}
            j = i + 1
            while j < len(items) and not (items[j][0] == "line" and items[j][1].strip() == fence):
                if items[j][0] == "line" and (o := re.match(r"^:([\w-]+):\s*(.*)$", items[j][1].strip())):
                    options[o.group(1)] = o.group(2)
                j += 1
            i = j + 1
            if name == "exercise-start":
                label = options.get("label", f"ex-{len(order)}")
                current = exercises[label] = ExerciseSource(
                    label=label, title=arg.replace("★", "").replace("()", "").strip(" ()"),
                    number=f"{chapter_number}.{len(order) + 1}", stars=arg.count("★"))
                order.append(label)
                state = "exercise"
            elif name == "solution-start":
                current = exercises.get(arg)
                if current is None:
                    raise ValueError(f"path {path}: solution for unknown exercise {arg!r}")
                state = "solution"
            else:
                state, current = None, None
            continue
        if state == "exercise":
            if item[0] == "line":
                current.text.append(item[1])
            elif "scaffold" in item[2]:
                current.scaffold = item[1]
            else:
                current.text.extend(["```python", item[1], "```"])
        elif state == "solution":
            if item[0] == "line":
                current.solution_text.append(item[1])
            else:
                current.solution_code.append(item[1])
        i += 1
    if first_code is None:
        raise ValueError(f"path {path}: no code cell to set the worksheet up with")
    return [exercises[k] for k in order], first_code


# --------------------------------------------------------------------------- building notebooks


def _stubs(tree: ast.Module) -> list[ast.FunctionDef]:
    """Top-level functions whose body raises NotImplementedError: what the student fills in."""
    out = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and any(
            isinstance(s, ast.Raise) and "NotImplementedError" in ast.unparse(s) for s in node.body
        ):
            out.append(node)
    return out


def _check_calls(source: str) -> list[tuple[str, str]]:
    """``check_x(my_fn, ...)`` calls at the top level of a scaffold: (check name, argument source)."""
    calls = []
    for node in ast.parse(source).body:
        call = node.value if isinstance(node, ast.Expr) else node.test if isinstance(node, ast.Assert) else None
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id.startswith("check_"):
            args = [ast.unparse(a) for a in call.args] + [ast.unparse(k) for k in call.keywords]
            calls.append((call.func.id, ", ".join(args)))
    return calls


def solution_functions(ex: ExerciseSource) -> dict[str, str]:
    """The solution's top-level function definitions, by name, as source."""
    found = {}
    for code in ex.solution_code:
        tree = ast.parse(code)
        lines = code.split("\n")
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                start = (node.decorator_list[0].lineno if node.decorator_list else node.lineno) - 1
                found[node.name] = "\n".join(lines[start:node.end_lineno])
    return found


def _delegate(stub: ast.FunctionDef, ex: ExerciseSource) -> str | None:
    """A solution that calls the library, for an exercise whose solution is a listing of it."""
    text = "\n".join(ex.solution_text)
    found = re.search(r"\{literalinclude\}\s*(?:\.\./)*src/(gaebook/[\w/]+)\.py\s*\n(?:.*\n)*?:pyobject:\s*(\w+)", text)
    if not found:
        return None
    module, function = found.group(1).replace("/", "."), found.group(2)
    a = stub.args
    call = [x.arg for x in a.posonlyargs + a.args]
    call += [f"*{a.vararg.arg}"] if a.vararg else []
    call += [f"{x.arg}={x.arg}" for x in a.kwonlyargs]
    call += [f"**{a.kwarg.arg}"] if a.kwarg else []
    return (f"def {stub.name}({ast.unparse(a)}):\n"
            f"    from {module} import {function} as reference  # the chapter's listing is the model answer\n"
            f"    return reference({', '.join(call)})")


def solutions_for_stubs(ex: ExerciseSource) -> dict[str, str]:
    """Solution source for every stub of the scaffold: the solution's own function, or a library call."""
    functions = solution_functions(ex)
    for stub in _stubs(ast.parse(ex.scaffold)):
        if stub.name not in functions and (delegate := _delegate(stub, ex)):
            functions[stub.name] = delegate
    return functions


def _solution_extras(ex: ExerciseSource, names: set[str]) -> list[str]:
    """Imports and helper functions of the solution that the stubs do not name."""
    extras = []
    for code in ex.solution_code:
        tree, lines = ast.parse(code), code.split("\n")
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)) or (
                isinstance(node, ast.FunctionDef) and node.name not in names
            ):
                start = (node.decorator_list[0].lineno if getattr(node, "decorator_list", None) else node.lineno) - 1
                extras.append("\n".join(lines[start:node.end_lineno]))
    return extras


def fill_scaffold(ex: ExerciseSource, functions: dict[str, str] | None = None) -> str:
    """The scaffold with each stub's body replaced by the solution's, between nbgrader markers."""
    source = ex.scaffold
    tree = ast.parse(source)
    lines = source.split("\n")
    functions = functions if functions is not None else solutions_for_stubs(ex)
    stubs = _stubs(tree)
    if not stubs:
        raise ValueError(f"{ex.label}: the scaffold has no function stub raising NotImplementedError")
    names = {s.name for s in stubs}
    extras = _solution_extras(ex, names)
    for k, stub in enumerate(reversed(stubs)):
        if stub.name not in functions:
            raise ValueError(f"{ex.label}: the solution does not define {stub.name}()")
        solution = ast.parse(functions[stub.name]).body[0]
        sol_lines = functions[stub.name].split("\n")
        body_start = solution.body[0].lineno - 1
        if isinstance(solution.body[0], ast.Expr) and isinstance(getattr(solution.body[0], "value", None), ast.Constant):
            body_start = solution.body[0].end_lineno if len(solution.body) > 1 else body_start  # drop the docstring
        body = textwrap.dedent("\n".join(sol_lines[body_start:solution.end_lineno]))
        indent = " " * stub.body[0].col_offset
        first_stub = k == len(stubs) - 1
        region = [f"{indent}### BEGIN SOLUTION"]
        if first_stub and extras:
            region += [textwrap.indent(e, indent) for e in extras]
        region += [textwrap.indent(body, indent), f"{indent}### END SOLUTION"]
        doc = stub.body[0]
        keep_doc = isinstance(doc, ast.Expr) and isinstance(getattr(doc, "value", None), ast.Constant)
        start = (doc.end_lineno if keep_doc else doc.lineno - 1)
        lines[start:stub.end_lineno] = region
    return "\n".join(lines)


def _nbgrader(cell, *, grade_id: str, solution: bool, grade: bool, locked: bool, points: float | None = None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if grade:
        meta["points"] = points
    cell.metadata["nbgrader"] = meta
    return cell


def _markdown(lines: list[str], ctx) -> str:
    text = "\n".join(lines).strip("\n")
    return "\n\n".join(s.text for s in downloads.convert_markdown(downloads.label_equations(text, ctx), ctx, {}))


def _parts(text: str) -> list[str]:
    """The lettered parts (a), (b), … of an exercise statement, or one part."""
    found = re.findall(r"\(([a-h])\)", text)
    seen = []
    for p in found:
        if p not in seen and (not seen or ord(p) == ord(seen[-1]) + 1) and (seen or p == "a"):
            seen.append(p)
    return seen or [""]


def rubric(ex: ExerciseSource, statement: str, model_answer: str) -> str:
    """A rubric for a written exercise, from its statement's parts and its solution."""
    parts = _parts(statement)
    share = ex.points / len(parts)
    rows = [f"**Rubric ({ex.points} points).** Grade against the model answer below."]
    for p in parts:
        what = f"part ({p})" if p else "the answer"
        rows.append(
            f"- {what}: {share:g} points. Full marks for a correct result with the reasoning "
            f"that the model answer gives (any equivalent argument counts); half for a correct "
            f"result without reasoning, or sound reasoning with a slip; none otherwise."
        )
    rows.append("- Numbers asked for must come from code the student ran (seeded where random).")
    return "\n".join(rows) + "\n\n**Model answer.**\n\n" + model_answer


@dataclass
class Assignment:
    chapter: str  # the page stem, e.g. ch07_gae
    label: str  # ch07
    source: nbformat.NotebookNode
    exercises: list[ExerciseSource]
    setup: str
    auto_points: dict[str, float]  # grade_id -> points of each auto-graded test
    manual_points: dict[str, float]


def build_assignment(chapter) -> Assignment:
    """The nbgrader source notebook (instructor version) of one chapter."""
    exercises, first_code = read_exercises(chapter.path, chapter.number)
    ctx = _source_context(chapter.path.resolve(), site_url(ROOT))
    page = f"{site_url(ROOT)}book/{chapter.path.stem}.html"
    checks = sorted({name for ex in exercises if ex.self_checking for name, _ in _check_calls(ex.scaffold)})
    total = sum(ex.points for ex in exercises)
    intro = (
        f"# Chapter {chapter.number} exercises: {chapter.title}\n\n"
        f"Work through [the chapter]({page}) first. This worksheet holds its "
        f"{len(exercises)} exercises, {total} points in all. A self-checking exercise gives "
        "you a function to fill in (replace `raise NotImplementedError()`) and a visible "
        "self-check; the grader runs the same check on cases you have not seen. A written "
        "exercise is graded by hand: write your answer in the cell marked *YOUR ANSWER "
        "HERE*, and use the code cell below it for any computation. Run the whole notebook "
        "(*Run → Run All Cells*) before you submit, and do not change the cells you cannot edit."
    )
    setup = downloads.GLUE_IMPORT.sub(downloads.GLUE_NOOP, first_code)
    if checks:
        setup += "\nfrom gaebook.checks import " + ", ".join(checks)
    cells = [
        _nbgrader(nbformat.v4.new_markdown_cell(intro), grade_id="intro", solution=False, grade=False, locked=True),
        _nbgrader(nbformat.v4.new_code_cell(downloads.install_cell_source(site_url(ROOT), downloads.wheel_name())),
                  grade_id="install", solution=False, grade=False, locked=True),
        _nbgrader(nbformat.v4.new_code_cell(setup), grade_id="setup", solution=False, grade=False, locked=True),
    ]
    auto, manual = {}, {}
    for ex in exercises:
        statement = _markdown(ex.text, ctx)
        kind = "self-checking, graded automatically" if ex.self_checking else "written, graded by hand"
        head = f"## Exercise {ex.number}: {ex.title} ({'★' * ex.stars}, {ex.points} points, {kind})\n\n{statement}"
        cells.append(_nbgrader(nbformat.v4.new_markdown_cell(head), grade_id=f"{ex.label}-statement",
                               solution=False, grade=False, locked=True))
        if ex.self_checking:
            cells.append(_nbgrader(nbformat.v4.new_code_cell(fill_scaffold(ex)), grade_id=ex.label,
                                   solution=True, grade=False, locked=False))
            lines = [f"# Autograder test for Exercise {ex.number} ({ex.points} points)."]
            lines.append("### BEGIN HIDDEN TESTS")
            for name, args in _check_calls(ex.scaffold):
                import gaebook.checks

                seeded = "seed" in inspect.signature(getattr(gaebook.checks, name)).parameters
                extra = f", seed={HIDDEN_SEED + chapter.number}" if seeded else ""
                lines += [f"_result = {name}({args}{extra}, quiet=True)", "assert _result, _result.report"]
            lines.append("### END HIDDEN TESTS")
            grade_id = f"test-{ex.label}"
            cells.append(_nbgrader(nbformat.v4.new_code_cell("\n".join(lines)), grade_id=grade_id,
                                   solution=False, grade=True, locked=True, points=ex.points))
            auto[grade_id] = ex.points
        else:
            answer = _markdown(ex.solution_text, ctx)
            listings = "\n\n".join(f"```python\n{code.strip()}\n```" for code in ex.solution_code if code.strip())
            model = answer + ("\n\n" + listings if listings else "")
            body = (f"**Your answer to Exercise {ex.number}** ({ex.points} points, graded by hand):\n\n"
                    f"### BEGIN SOLUTION\n{rubric(ex, statement, model)}\n### END SOLUTION")
            cells.append(_nbgrader(nbformat.v4.new_markdown_cell(body), grade_id=ex.label,
                                   solution=True, grade=True, locked=False, points=ex.points))
            cells.append(nbformat.v4.new_code_cell(f"# Working space for Exercise {ex.number} (not graded)\n"))
            manual[ex.label] = ex.points
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    for k, c in enumerate(nb.cells):
        c["id"] = f"{chapter.label}-{k}"
    nbformat.validate(nb)
    return Assignment(chapter.path.stem, chapter.label, nb, exercises, setup, auto, manual)


# --------------------------------------------------------------------------- nbgrader


def _path_with_venv() -> None:
    """nbgrader runs ``alembic`` from PATH: put this interpreter's bin folder first."""
    import os

    bindir = str(Path(sys.executable).parent)
    if os.environ.get("PATH", "").split(os.pathsep)[0] != bindir:
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    _path_with_venv()
    exe = Path(sys.executable).with_name("nbgrader")
    proc = subprocess.run([str(exe), *args], cwd=course, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed in {course}:\n{proc.stdout}\n{proc.stderr}")
    return proc


def _course(root: Path, assignment: Assignment) -> Path:
    course = root / assignment.chapter / "course"
    course.mkdir(parents=True, exist_ok=True)
    (course / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821  (nbgrader's configuration, written by tools/assignments.py)\n"
        f"c.CourseDirectory.course_id = 'gaebook-{assignment.label}'\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        "c.Execute.timeout = 300\n"
        "c.Execute.allow_errors = True\n"
        "c.ClearSolutions.code_stub = {'python': '# YOUR CODE HERE\\nraise NotImplementedError()'}\n"
    )
    return course


def release(chapter, root: Path = OUT) -> Assignment:
    """Write the course folder, the student release and the instructor version of one chapter."""
    a = build_assignment(chapter)
    base = root / a.chapter
    if base.exists():
        shutil.rmtree(base)
    course = _course(root, a)
    src = course / "source" / a.label
    src.mkdir(parents=True)
    nbformat.write(a.source, src / f"{a.chapter}.ipynb")
    nbgrader(course, "generate_assignment", a.label, "--force")
    for kind, from_ in (("student", course / "release" / a.label), ("instructor", src)):
        (base / kind).mkdir(parents=True, exist_ok=True)
        shutil.copy2(from_ / f"{a.chapter}.ipynb", base / kind / f"{a.chapter}.ipynb")
    (base / "points.json").write_text(json.dumps({"auto": a.auto_points, "manual": a.manual_points}, indent=2))
    return a


def grade(chapter_stem: str, submissions: Path, out_csv: Path, root: Path = OUT) -> list[dict]:
    """Grade every ``<student>.ipynb`` in ``submissions`` with nbgrader; write and return the rows."""
    from nbgrader.api import Gradebook

    _path_with_venv()
    course = root / chapter_stem / "course"
    if not (course / "nbgrader_config.py").is_file():
        raise SystemExit(f"no released assignment for {chapter_stem}: run `make coursework` first")
    label = chapter_stem[:4]
    points = json.loads((root / chapter_stem / "points.json").read_text())
    students = []
    for path in sorted(Path(submissions).glob("*.ipynb")):
        student = re.sub(r"[^\w-]", "_", path.stem)
        target = course / "submitted" / student / label
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        shutil.copy2(path, target / f"{chapter_stem}.ipynb")
        students.append(student)
    if not students:
        raise SystemExit(f"no .ipynb files in {submissions}")
    nbgrader(course, "autograde", label, "--force")
    rows = []
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in students:
            sub = gb.find_submission(label, student)
            grades = {g.name: g for nb in sub.notebooks for g in nb.grades}
            row = {"student": student, "chapter": label}
            for grade_id in points["auto"]:
                row[grade_id] = float(grades[grade_id].auto_score or 0.0)
            row["auto_score"] = sum(row[g] for g in points["auto"])
            row["auto_max"] = float(sum(points["auto"].values()))
            row["to_grade_by_hand"] = float(sum(points["manual"].values()))
            row["max_score"] = float(sub.max_score)
            rows.append(row)
    out_csv = Path(out_csv)
    out_csv.parent.mkdir(parents=True, exist_ok=True)
    with out_csv.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return rows


# --------------------------------------------------------------------------- synthetic submissions


_SWAP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.Pow: ast.Mult,
         ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
         ast.NotEq: ast.Eq, ast.BitOr: ast.BitAnd, ast.BitAnd: ast.BitOr}


def mutants(function_source: str):
    """Single-point mutations of a function: one operator swapped or one number changed."""
    tree = ast.parse(function_source)
    sites = []
    for node in ast.walk(tree.body[0]):
        if isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in _SWAP:
            sites.append((node, "op"))
        elif isinstance(node, ast.Compare) and type(node.ops[0]) in _SWAP:
            sites.append((node, "cmp"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            sites.append((node, "num"))
        elif _swappable_call(node):
            sites.append((node, "args"))
    priority = {"op": 0, "cmp": 1, "num": 2, "args": 3}  # a wrong operator first, a swapped call last
    for k in sorted(range(len(sites)), key=lambda k: priority[sites[k][1]]):
        mutated = copy.deepcopy(tree)
        node, kind = [n for n in ast.walk(mutated.body[0]) if _is_site(n)][k], sites[k][1]
        if kind == "op":
            before = type(node.op).__name__
            node.op = _SWAP[type(node.op)]()
        elif kind == "cmp":
            before = type(node.ops[0]).__name__
            node.ops[0] = _SWAP[type(node.ops[0])]()
        elif kind == "args":
            before = "arguments " + ", ".join(ast.unparse(x) for x in node.args[:2])
            node.args[0], node.args[1] = node.args[1], node.args[0]
        else:
            before = repr(node.value)
            node.value = 1 if node.value == 0 else 0 if node.value == 1 else node.value + 1
        yield ast.unparse(mutated), f"{before} -> {ast.unparse(node)[:60]} (line {node.lineno})"


def _swappable_call(node) -> bool:
    return (isinstance(node, ast.Call) and len(node.args) >= 2 and not any(isinstance(x, ast.Starred) for x in node.args[:2])
            and ast.unparse(node.args[0]) != ast.unparse(node.args[1]))


def _is_site(node) -> bool:
    return _swappable_call(node) or (isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in _SWAP) or (
        isinstance(node, ast.Compare) and type(node.ops[0]) in _SWAP) or (
        isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool))


def plant_bug(a: Assignment) -> tuple[ExerciseSource, dict[str, str], str] | None:
    """The first self-checked exercise with a single mutation that its own check catches."""
    import contextlib
    import io
    import warnings

    import matplotlib

    matplotlib.use("Agg")
    base: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(a.setup, f"<{a.label} setup>", "exec"), base)  # noqa: S102
    for ex in (e for e in a.exercises if e.self_checking):
        functions = solutions_for_stubs(ex)
        calls = _check_calls(ex.scaffold)
        for name in [s.name for s in _stubs(ast.parse(ex.scaffold))]:
            for mutated, what in mutants(functions[name]):
                env = dict(base)
                try:
                    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
                        warnings.simplefilter("ignore")  # a mutant may overflow; only the verdict matters
                        for extra in _solution_extras(ex, set(functions)):
                            exec(extra, env)  # noqa: S102
                        for fn in functions.values():
                            exec(fn, env)  # noqa: S102
                        exec(mutated, env)  # noqa: S102
                        ok = all(eval(f"{check}({args}, quiet=True)", env) for check, args in calls)  # noqa: S307
                except Exception:  # noqa: BLE001 - a mutant that crashes is caught by the check too
                    ok = False
                if not ok:
                    return ex, {**functions, name: mutated}, f"{name}(): {what}"
    return None


def _filled(release_nb, a: Assignment, functions_by_label: dict[str, dict[str, str]]) -> nbformat.NotebookNode:
    """The release with every answer cell filled in (the instructor's solution, or a variant)."""
    nb = copy.deepcopy(release_nb)
    by_label = {e.label: e for e in a.exercises}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if not meta.get("solution"):
            continue
        ex = by_label[meta["grade_id"]]
        if ex.self_checking:
            filled = fill_scaffold(ex, functions_by_label.get(ex.label))
            cell.source = "\n".join(ln for ln in filled.split("\n") if "### BEGIN SOLUTION" not in ln
                                    and "### END SOLUTION" not in ln)
        else:
            cell.source = f"My answer to Exercise {ex.number}: " + _markdown(ex.solution_text, _plain_ctx())
    return nb


def _plain_ctx():
    return downloads.Context(site_url=site_url(ROOT), docname="", source_dir=ROOT / "book")


def check_chapter(chapter, root: Path = OUT) -> dict:
    """Release, three synthetic submissions, autograde, compare with the expected scores."""
    a = release(chapter, root)
    base = root / a.chapter
    release_nb = nbformat.read(base / "student" / f"{a.chapter}.ipynb", as_version=4)
    subs = base / "synthetic"
    if subs.exists():
        shutil.rmtree(subs)
    subs.mkdir()
    nbformat.write(_filled(release_nb, a, {}), subs / "correct.ipynb")
    nbformat.write(release_nb, subs / "blank.ipynb")
    auto_max = float(sum(a.auto_points.values()))
    expected = {"correct": auto_max, "blank": 0.0}
    planted = plant_bug(a)
    bug_note = "no self-checked exercise: no bug planted"
    if planted:
        ex, functions, bug_note = planted
        nbformat.write(_filled(release_nb, a, {ex.label: functions}), subs / "bug.ipynb")
        expected["bug"] = auto_max - ex.points
        bug_note = f"Exercise {ex.number}: {bug_note}"
    rows = grade(a.chapter, subs, base / "grades-synthetic.csv", root)
    got = {r["student"]: r["auto_score"] for r in rows}
    return {"chapter": a.chapter, "expected": expected, "got": got, "bug": bug_note,
            "csv": str(base / "grades-synthetic.csv"), "ok": got == expected}


def _chapters(selected: list[str] | None):
    chapters = book_chapters(ROOT)
    if selected:
        chapters = [c for c in chapters if c.label in selected or c.path.stem in selected]
    return chapters


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="nbgrader assignments for the book's chapters")
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("release", help="student release + instructor version of each chapter")
    r.add_argument("chapters", nargs="*", help="chNN labels (default: every chapter)")
    r.add_argument("--out", type=Path, default=OUT)
    g = sub.add_parser("grade", help="autograde a folder of <student>.ipynb into a CSV")
    g.add_argument("chapter", help="chNN or the page stem, e.g. ch07 or ch07_gae")
    g.add_argument("submissions", type=Path)
    g.add_argument("--out", type=Path, default=None, help="CSV file (default: <coursework>/<chapter>/grades.csv)")
    g.add_argument("--root", type=Path, default=OUT)
    c = sub.add_parser("check", help="the whole flow on synthetic submissions, with expected scores")
    c.add_argument("chapters", nargs="*")
    c.add_argument("--out", type=Path, default=OUT)
    c.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    if args.command == "release":
        for chapter in _chapters(args.chapters):
            a = release(chapter, args.out)
            print(f"{a.label}: {len(a.exercises)} exercises, {sum(a.auto_points.values())} points auto-graded, "
                  f"{sum(a.manual_points.values())} by hand -> {args.out / a.chapter}")
        return 0
    if args.command == "grade":
        stem = next((c.path.stem for c in _chapters([args.chapter])), None)
        if stem is None:
            raise SystemExit(f"unknown chapter {args.chapter}")
        out = args.out or args.root / stem / "grades.csv"
        rows = grade(stem, args.submissions, out, args.root)
        print(f"graded {len(rows)} submissions -> {out}")
        return 0
    chapters = _chapters(args.chapters)

    def one(chapter) -> dict:
        try:
            return check_chapter(chapter, args.out)
        except Exception as exc:  # noqa: BLE001 - report every chapter, then fail
            return {"chapter": chapter.path.stem, "ok": False, "error": f"{type(exc).__name__}: {exc}"}

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(one, chapters))
    bad = 0
    for res in results:
        bad += not res["ok"]
        if "error" in res:
            print(f"FAIL {res['chapter']}: {res['error']}")
            continue
        flag = "ok  " if res["ok"] else "FAIL"
        print(f"{flag} {res['chapter']}: expected {res['expected']}, got {res['got']}; planted bug: {res['bug']}")
    print(f"{len(results) - bad} chapters passed, {bad} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
