"""The student edition: one notebook per chapter, solutions removed.

``python -m gaebook.student_edition --out _build/student`` (or ``make
student``) converts every chapter of ``_toc.yml`` to an ``.ipynb`` in which

- every gated solution (``solution-start`` … ``solution-end``, with the code
  cells between them) and every ``{solution}`` directive is removed, and so
  is any code cell tagged ``solution``;
- every exercise stays, its directive turned into a plain heading so it reads
  well in any Jupyter; its scaffold cell (tagged ``scaffold``) loses the
  ``skip-execution`` tag, so running it raises ``NotImplementedError`` until
  the student fills it in;
- outputs and execution counts are cleared; the result is valid nbformat 4.

The notebooks are also zipped to ``gaebook-student-edition.zip``. Run them
from the repository's ``book/`` folder (or anywhere ``gaebook`` is installed).
"""

from __future__ import annotations

import argparse
import re
import sys
import zipfile
from pathlib import Path

import jupytext
import nbformat

from .coursework import ROOT, book_chapters

__all__ = ["student_notebook", "write_student_edition", "ZIP_NAME"]

ZIP_NAME = "gaebook-student-edition.zip"
_OPEN = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:-]+)\}\s*(?P<arg>.*)$")

NOTICE = (
    "**Student edition.** Solutions are removed. Each self-checking exercise has a "
    "function stub that raises `NotImplementedError`: fill it in and run the cell; the "
    "check below your code compares it with the library and reports the first failing case."
)


def _strip_markdown(source: str, state: dict) -> str:
    """Remove solution text from one markdown cell; ``state`` carries across cells."""
    out: list[str] = []
    lines = source.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        opened = _OPEN.match(line.strip())
        if opened:
            fence, name, arg = opened.group("fence"), opened.group("name"), opened.group("arg").strip()
            # find the closing fence of this directive (its options and body)
            j = i + 1
            while j < len(lines) and lines[j].strip() != fence:
                j += 1
            body = lines[i + 1 : j]
            i = j + 1
            if name == "solution-start":
                state["in_solution"] = True
            elif name == "solution-end":
                state["in_solution"] = False
            elif state["in_solution"] or name == "solution":
                pass
            elif name == "exercise-start":
                out.append(f"### Exercise: {arg}" if arg else "### Exercise")
            elif name == "exercise-end":
                pass
            elif name == "exercise":
                out.append(f"### Exercise: {arg}" if arg else "### Exercise")
                out.extend(ln for ln in body if not re.match(r"^:\w[\w-]*:", ln))
            else:
                out.append(line)
                out.extend(body)
                out.append(fence)
            continue
        if not state["in_solution"]:
            out.append(line)
        i += 1
    return "\n".join(out).strip()


def student_notebook(path: Path) -> nbformat.NotebookNode:
    """Convert one chapter to its student-edition notebook."""
    nb = jupytext.read(path)
    state = {"in_solution": False}
    cells = [nbformat.v4.new_markdown_cell(NOTICE)]
    for cell in nb.cells:
        tags = list(cell.get("metadata", {}).get("tags", []))
        if cell.cell_type == "markdown":
            text = _strip_markdown(cell.source, state)
            if text:
                cells.append(nbformat.v4.new_markdown_cell(text))
        elif cell.cell_type == "code":
            if state["in_solution"] or "solution" in tags:
                continue
            new = nbformat.v4.new_code_cell(cell.source)
            keep = [t for t in tags if not ("scaffold" in tags and t == "skip-execution")]
            if keep:
                new.metadata["tags"] = keep
            cells.append(new)
        else:
            cells.append(cell)
    if state["in_solution"]:
        raise ValueError(f"path {path}: a solution-start has no matching solution-end")
    out = nbformat.v4.new_notebook(cells=cells)
    out.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    out.metadata["language_info"] = {"name": "python"}
    nbformat.validate(out)
    return out


def write_student_edition(out_dir: Path, root: Path = ROOT) -> list[Path]:
    """Write one student notebook per chapter and a zip of them; return the notebook paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for chapter in book_chapters(root):
        target = out_dir / f"{chapter.path.stem}.ipynb"
        nbformat.write(student_notebook(chapter.path), target)
        written.append(target)
    with zipfile.ZipFile(out_dir / ZIP_NAME, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in written:
            zf.write(path, arcname=f"gaebook-student-edition/{path.name}")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the student edition of the book.")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "student")
    args = parser.parse_args(argv)
    written = write_student_edition(args.out)
    print(f"Wrote {len(written)} student notebooks and {ZIP_NAME} to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
