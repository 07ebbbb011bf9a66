"""Bundle MathJax 3 with the HTML so every formula typesets with no network.

The MathJax files come from the pinned ``django-static-mathjax`` wheel (static
files only; Django is not needed). On ``build-finished`` the parts that the
CHTML TeX component loads are copied to ``_static/mathjax/`` of the output,
and ``_config.yml`` points ``mathjax_path`` at ``mathjax/tex-mml-chtml.js``
(a path relative to ``_static``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

#: What tex-mml-chtml.js loads at run time (fonts, TeX extensions, menu, a11y).
PARTS = ["tex-mml-chtml.js", "input", "output/chtml", "ui", "a11y", "adaptors"]


def mathjax_source() -> Path:
    try:
        import mathjax  # provided by django-static-mathjax
    except ImportError as exc:  # pragma: no cover - the pinned requirements install it
        raise ExtensionError("offline_mathjax: install django-static-mathjax (see requirements.txt)") from exc
    src = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    if not (src / "tex-mml-chtml.js").is_file():
        raise ExtensionError(f"offline_mathjax: no tex-mml-chtml.js under {src}")
    return src


def copy_mathjax(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    src = mathjax_source()
    dest = Path(app.outdir) / "_static" / "mathjax"
    for part in PARTS:
        s, d = src / part, dest / part
        if s.is_dir():
            shutil.copytree(s, d, dirs_exist_ok=True)
        elif s.is_file():
            d.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(s, d)


def setup(app: Sphinx) -> dict:
    mathjax_source()  # fail early, before hours of execution, if MathJax is missing
    app.connect("build-finished", copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
