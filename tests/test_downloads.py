"""The notebook downloads read well in JupyterLab: book/_ext/gaebook_downloads.py on small inputs.

The whole-book counterpart (every chapter's download runs in a fresh student
venv) is tests/test_student_path.py.
"""

from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "book" / "_ext"))
import gaebook_downloads as dl  # noqa: E402

SITE = "https://example.org/book/"


def context(**kwargs) -> dl.Context:
    labels = {"ch06": dl.Target("book/ch06_kstep_telescoping", "ch06", "k-step advantages"),
              "thm-x": dl.Target("book/ch07_gae", "thm-x", "Theorem"),
              "ex-ch07-a": dl.Target("book/ch07_gae", "ex-ch07-a", "Exercise")}
    numbers = {"thm-x": "Theorem 7.1", "ex-ch07-a": "Exercise 7.2", "fig-w": "Fig. 7.3"}
    defaults = dict(
        site_url=SITE, docname="book/ch07_gae", source_dir=ROOT / "book",
        glue={"ch07_x": {"text/plain": "0.123456"}, "ch07_v": {"text/plain": "'1.4.0'", "text/markdown": "`1.4.0`"}},
        resolve=lambda role, label: labels.get(label) or (dl.Target("book/ch07_gae", f"equation-{label}", label)
                                                           if role == "eq" else None),
        numbered=numbers.get,
        equation={"eq-a": "7.4"}.get,
        cite={"schulman2016gae": "Schulman et al. 2016"}.get,
    )
    defaults.update(kwargs)
    return dl.Context(**defaults)


def md(text: str, ctx=None, state=None) -> str:
    segments = dl.convert_markdown(dl.label_equations(text, ctx or context()), ctx or context(), state or {})
    return "\n\n".join(s.text for s in segments)


def test_glued_values_are_substituted_with_their_format():
    out = md("x is {glue:text}`ch07_x:.3f`, version {glue:md}`ch07_v`, raw {glue:text}`ch07_x`.")
    assert out == "x is 0.123, version `1.4.0`, raw 0.123456."


def test_cross_references_become_links_to_the_site():
    out = md("See {ref}`ch06`, {prf:ref}`thm-x`, {ref}`ex-ch07-a`, {eq}`eq-a` and {cite}`schulman2016gae`.")
    assert f"[k-step advantages]({SITE}book/ch06_kstep_telescoping.html#ch06)" in out
    assert f"[Theorem 7.1]({SITE}book/ch07_gae.html#thm-x)" in out
    assert f"[Exercise 7.2]({SITE}book/ch07_gae.html#ex-ch07-a)" in out
    assert f"[(7.4)]({SITE}book/ch07_gae.html#equation-eq-a)" in out
    assert f"([Schulman et al. 2016]({SITE}book/bibliography.html))" in out
    assert not re.search(r"\{[\w:-]+\}`", out)


def test_prf_directive_becomes_a_numbered_quote_and_labels_vanish():
    out = md("(sec-a)=\n## Head\n\n:::{prf:theorem} Weighted average\n:label: thm-x\n\nBody $a$.\n:::\n")
    assert "(sec-a)=" not in out and ":label:" not in out and ":::" not in out
    assert "> **Theorem 7.1** (Weighted average)." in out
    assert "> Body $a$." in out


def test_equation_label_becomes_the_tag_the_html_shows():
    out = md("$$\na = b\n$$ (eq-a)\n")
    assert out == "$$\na = b\n\\tag{7.4}\n$$"


def test_literalinclude_becomes_a_listing_of_the_source():
    from sphinx.directives.code import LiteralInclude, LiteralIncludeReader

    class Config:
        tab_width, source_encoding = 8, "utf-8-sig"

    def include(arg, options):
        opts = {k: LiteralInclude.option_spec[k](v) for k, v in options.items()}
        return LiteralIncludeReader(str((ROOT / "book" / arg).resolve()), opts, Config).read()[0]

    out = md("```{literalinclude} ../src/gaebook/gae.py\n:pyobject: gae\n```\n", context(literalinclude=include))
    assert "```python\ndef gae(" in out and "```{literalinclude}" not in out


def test_solutions_are_kept_collapsed_and_scaffolds_do_not_stop_run_all():
    executed = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("```{exercise-start} Write it (★★)\n:label: ex-ch07-a\n```\nDo it."),
        nbformat.v4.new_code_cell("def f(x):\n    raise NotImplementedError\n\n\ncheck_f(f)"),
        nbformat.v4.new_markdown_cell("```{exercise-end}\n```\n\n```{solution-start} ex-ch07-a\n"
                                      ":class: dropdown\n```\nThe answer."),
        nbformat.v4.new_code_cell("from myst_nb import glue\ndef f(x):\n    return x"),
        nbformat.v4.new_markdown_cell("```{solution-end}\n```\nAfter."),
    ])
    executed.cells[1].metadata["tags"] = ["skip-execution", "scaffold"]
    nb = dl.reader_notebook(executed, context(), wheel="gaebook-0.1.0-py3-none-any.whl")
    nbformat.validate(nb)
    assert "find_spec(\"gaebook\")" in nb.cells[0].source and f"{SITE}dist/" in nb.cells[0].source
    sources = [c.source for c in nb.cells]
    assert "### Exercise 7.2: Write it (★★)\nDo it." in sources
    scaffold = next(c for c in nb.cells if "scaffold" in c.metadata.get("tags", []))
    assert "except NotImplementedError" in scaffold.source
    solution = [c for c in nb.cells if c.metadata.get("gaebook", {}).get("solution")]
    assert [c.source for c in solution][0] == "The answer."
    assert all(c.metadata["jupyter"]["source_hidden"] for c in solution)
    assert "from myst_nb" not in solution[1].source and "glue = lambda" in solution[1].source
    assert sources[-1] == "After."
    assert not any(c.metadata.get("gaebook") for c in nb.cells if c.source == "After.")
    # the guarded scaffold runs: the stub's NotImplementedError is caught
    namespace = {"check_f": lambda fn: fn(1)}
    exec(scaffold.source, namespace)  # noqa: S102


def test_student_edition_and_downloads_share_the_install_cell(tmp_path):
    from tools.student_edition import write_student_edition

    written = write_student_edition(tmp_path, ROOT, site_url=SITE, wheel="gaebook-9.9-py3-none-any.whl")
    assert written
    nb = nbformat.read(written[0], as_version=4)
    assert nb.cells[1].source == dl.install_cell_source(SITE, "gaebook-9.9-py3-none-any.whl")
    text = "\n".join(c.source for c in nb.cells)
    assert "from myst_nb import glue" not in text
    assert not re.search(r"\{(?:ref|prf:ref|eq|numref|cite)\}`", text), "raw MyST roles in the student edition"
    with zipfile.ZipFile(tmp_path / dl.ZIP_NAME) as zf:
        assert len(zf.namelist()) == len(written)


@pytest.mark.parametrize("version_line", ['__version__ = "0.1.0"'])
def test_wheel_name_follows_the_package_version(version_line):
    assert (ROOT / "src" / "gaebook" / "__init__.py").read_text().count("__version__ = ") == 1
    assert dl.wheel_name() == f"gaebook-{dl.package_version()}-py3-none-any.whl"
    assert Path(dl.REPO) == ROOT
