"""The student edition: one notebook per chapter, solutions removed.

``python tools/student_edition.py --out _build/student`` (or ``make
student``) converts every chapter of ``_toc.yml`` to an ``.ipynb`` in which

- every gated solution (``solution-start`` … ``solution-end``, with the code
  cells between them) and every ``{solution}`` directive is removed, and so
  is any code cell tagged ``solution``;
- every exercise stays, its directive turned into a plain heading so it reads
  well in any Jupyter; its scaffold cell (tagged ``scaffold``) loses the
  ``skip-execution`` tag, so running it raises ``NotImplementedError`` until
  the student fills it in;
- outputs and execution counts are cleared; the result is valid nbformat 4.

Their Markdown is converted as the page downloads are (``book/_ext/gaebook_downloads.py``:
roles become text and links to the site, ``prf:`` blocks numbered quotes,
``literalinclude`` a listing), and their first code cell installs ``gaebook`` and
the student set when missing, so they run anywhere. The notebooks are also
zipped to ``gaebook-student-edition.zip``.
"""

from __future__ import annotations

import argparse
import re
import sys
import zipfile
from pathlib import Path

import jupytext
import nbformat

if __package__ in (None, ""):  # run as a script: python tools/student_edition.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tools.coursework import ROOT, book_chapters  # noqa: E402

sys.path.insert(0, str(ROOT / "book" / "_ext"))
import gaebook_downloads as downloads  # noqa: E402  (the same conversion as the page downloads)

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


def site_url(root: Path = ROOT) -> str:
    """The published book's address: ``html.baseurl`` in ``_config.yml``."""
    import yaml

    config = yaml.safe_load((root / "_config.yml").read_text())
    return str(config.get("html", {}).get("baseurl") or "https://example.invalid/").rstrip("/") + "/"


def _source_context(path: Path, site: str) -> downloads.Context:
    """Markdown conversion without a build: links by label, listings read from the sources."""
    import types

    from sphinx.directives.code import LiteralInclude, LiteralIncludeReader

    config = types.SimpleNamespace(tab_width=8, source_encoding="utf-8-sig")
    chapter_of = _labels(path.parent)

    def literalinclude(arg: str, options: dict) -> str:
        spec = LiteralInclude.option_spec
        opts = {k: spec[k](str(v) if v != "" else None) for k, v in options.items()
                if k in spec and k in ("pyobject", "lines", "start-at", "start-after", "end-at", "end-before", "dedent")}
        return LiteralIncludeReader(str((path.parent / arg).resolve()), opts, config).read()[0]

    def resolve(role: str, label: str):
        doc = chapter_of.get(label)
        return downloads.Target(f"book/{doc}", label, label) if doc else None

    return downloads.Context(site_url=site, docname=f"book/{path.stem}", source_dir=path.parent,
                             resolve=resolve, literalinclude=literalinclude)


def _labels(book: Path) -> dict:
    """label -> page stem, for every ``(label)=`` and ``:label:`` in ``book/*.md``."""
    found = {}
    for page in book.glob("*.md"):
        for label in re.findall(r"^\(([\w.:-]+)\)=\s*$|^:label:\s*(\S+)", page.read_text(), flags=re.M):
            found[label[0] or label[1]] = page.stem
    return found


def student_notebook(path: Path, *, site: str | None = None, wheel: str | None = None) -> nbformat.NotebookNode:
    """Convert one chapter to its student-edition notebook."""
    nb = jupytext.read(path)
    state = {"in_solution": False}
    site = site or site_url()
    ctx = _source_context(Path(path).resolve(), site)
    install = nbformat.v4.new_code_cell(downloads.install_cell_source(site, wheel or downloads.wheel_name()))
    install.metadata["tags"] = ["install"]
    cells = [nbformat.v4.new_markdown_cell(NOTICE), install]
    for cell in nb.cells:
        tags = list(cell.get("metadata", {}).get("tags", []))
        if cell.cell_type == "markdown":
            text = _strip_markdown(cell.source, state)
            segments = downloads.convert_markdown(downloads.label_equations(text, ctx), ctx, {}) if text else []
            for segment in segments:
                cells.append(nbformat.v4.new_markdown_cell(segment.text))
        elif cell.cell_type == "code":
            if state["in_solution"] or "solution" in tags:
                continue
            new = nbformat.v4.new_code_cell(downloads.GLUE_IMPORT.sub(downloads.GLUE_NOOP, cell.source))
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


def write_student_edition(out_dir: Path, root: Path = ROOT, *, site_url: str | None = None,
                          wheel: str | None = None) -> list[Path]:
    """Write one student notebook per chapter and a zip of them; return the notebook paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for chapter in book_chapters(root):
        target = out_dir / f"{chapter.path.stem}.ipynb"
        nbformat.write(student_notebook(chapter.path, site=site_url, wheel=wheel), target)
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
