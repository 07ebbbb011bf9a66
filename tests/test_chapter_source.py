"""The code on a chapter's page fits the page, and plumbing is hidden.

House style (``Code on the page``): every line of a chapter code cell is at most
88 characters, so it reads on a phone and prints on paper; and a cell that only
draws a figure or glues numbers for the text hides its input (cell tag
``remove-input``, or ``hide-input`` for a foldable "Show code").

The chapters are read as text: every ```` ```{code-cell} ```` block of
``book/ch*.md``, its tags from either the ``:tags: [...]`` option or the YAML
header between ``---`` lines.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book").glob("ch*.md"))
MAX_LINE = 88
HIDDEN = {"remove-input", "hide-input", "remove-cell"}

_FENCE = re.compile(r"^(`{3,})\{code-cell\}")
_TAGS = re.compile(r"^:?tags:\s*\[(.*)\]\s*$")


def code_cells(path):
    """Yield (line of the ```{code-cell} fence, tags, first source line, source lines)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        fence, start = match.group(1), i + 1
        i += 1
        tags = []
        if i < len(lines) and lines[i].strip() == "---":  # YAML header
            i += 1
            while lines[i].strip() != "---":
                found = _TAGS.match(lines[i].strip())
                if found:
                    tags = [t.strip() for t in found.group(1).split(",") if t.strip()]
                i += 1
            i += 1
        else:  # :option: lines
            while i < len(lines) and lines[i].startswith(":"):
                found = _TAGS.match(lines[i].strip())
                if found:
                    tags = [t.strip() for t in found.group(1).split(",") if t.strip()]
                i += 1
        first = i + 1
        while lines[i].rstrip() != fence:
            i += 1
        yield start, tags, first, lines[first - 1 : i]
        i += 1


#: Names a plotting statement is called on: pyplot and the figure/axes objects.
_PLOT_NAME = re.compile(r"^(plt|fig\w*|ax\w*|axes\w*|axs|bars?|image|cbar)$")
#: Plain functions that only style a figure or glue a value for the text.
_PLUMBING_CALLS = {"glue", "glue_number", "use_book_style", "display"}


def _call_root(node):
    """The name at the root of ``a.b(...).c(...)``, or None."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _is_plumbing(statement):
    """True for a plotting or glue statement; None for an import (neutral)."""
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return None
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        func = statement.value.func
        if isinstance(func, ast.Name):
            return func.id in _PLUMBING_CALLS
        root = _call_root(func)
        return bool(root and _PLOT_NAME.match(root))
    if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Call):
        # fig, ax = plt.subplots(...) and the like
        return _call_root(statement.value.func) == "plt"
    if isinstance(statement, ast.For):
        return all(_is_plumbing(s) for s in statement.body)
    return False


def is_plumbing_only(source_lines):
    """Every statement of the cell draws, styles or glues (comments do not count)."""
    try:
        tree = ast.parse("\n".join(source_lines))
    except SyntaxError:  # IPython magics: not judged
        return False
    kinds = [_is_plumbing(s) for s in tree.body]
    kinds = [k for k in kinds if k is not None]
    return bool(kinds) and all(kinds)


_FIGURE_MAKERS = {"subplots", "figure", "subplot_mosaic"}


def is_figure_only(source_lines):
    """The cell makes a figure (plt.subplots/figure) and checks or defines nothing.

    Such a cell computes, at most, the data of its picture: it is plumbing too.
    A cell that also asserts, or defines a function or class, may teach and is
    left to the author.
    """
    try:
        tree = ast.parse("\n".join(source_lines))
    except SyntaxError:
        return False
    nodes = list(ast.walk(tree))
    makes_figure = any(
        isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and isinstance(n.func.value, ast.Name)
        and n.func.value.id == "plt"
        and n.func.attr in _FIGURE_MAKERS
        for n in nodes
    )
    teaches = any(isinstance(n, (ast.Assert, ast.FunctionDef, ast.ClassDef)) for n in nodes)
    return makes_figure and not teaches


def test_chapters_found():
    assert len(CHAPTERS) >= 16


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_code_lines_fit_in_88_characters(chapter):
    too_long = [
        f"{chapter.name}:{first + k}: {len(line)} characters"
        for _, _, first, source in code_cells(chapter)
        for k, line in enumerate(source)
        if len(line) > MAX_LINE
    ]
    assert not too_long, "code lines longer than 88 characters:\n" + "\n".join(too_long)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_plotting_and_glue_cells_hide_their_input(chapter):
    shown = [
        f"{chapter.name}:{start}: tags {tags}"
        for start, tags, _, source in code_cells(chapter)
        if (is_plumbing_only(source) or is_figure_only(source))
        and not HIDDEN & set(tags)
    ]
    assert not shown, "plotting/glue-only cells shown in full:\n" + "\n".join(shown)


def test_the_plumbing_detector_itself():
    plot = ["fig, ax = plt.subplots()", "ax.plot([1, 2])", "# a comment", "plt.show()"]
    glued = ["glue('ch00_x', 1.0, display=False)", "for n in (1, 2):", "    glue(n, n)"]
    teaching = ["x = np.arange(3)", "ax.plot(x)"]
    assert is_plumbing_only(plot) and is_plumbing_only(glued)
    assert not is_plumbing_only(teaching)
    assert not is_plumbing_only(["import numpy as np"])
    assert not is_plumbing_only(["%time f()"])
    assert is_figure_only(["x = np.arange(3)"] + plot)
    assert not is_figure_only(["x = np.arange(3)", "assert x.sum() == 3"] + plot)
    assert not is_figure_only(teaching)


def test_cell_parser_reads_both_tag_styles(tmp_path):
    page = tmp_path / "ch99_x.md"
    page.write_text(
        "text\n```{code-cell} ipython3\n:tags: [remove-input, mutation-skip]\nx = 1\n```\n"
        "```{code-cell} ipython3\n---\ntags: [hide-input]\nmystnb:\n  figure:\n"
        "    name: fig-x\n---\ny = 2\nz = 3\n```\n",
        encoding="utf-8",
    )
    cells = list(code_cells(page))
    assert [c[1] for c in cells] == [["remove-input", "mutation-skip"], ["hide-input"]]
    assert [c[3] for c in cells] == [["x = 1"], ["y = 2", "z = 3"]]
    assert [c[2] for c in cells] == [4, 13]
