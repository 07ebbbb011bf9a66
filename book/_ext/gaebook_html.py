"""Sphinx glue for the book's HTML: offline MathJax, notebook downloads, clean pages.

1. **MathJax bundled with the book.** The MathJax 3 files come from the pinned
   ``django-static-mathjax`` wheel (static files only; Django is not needed).
   On ``build-finished`` the parts that the CHTML TeX component loads are
   copied to ``_static/mathjax/``; ``_config.yml`` points ``mathjax_path`` at
   ``mathjax/tex-mml-chtml.js`` (relative to ``_static``). Formulas typeset
   with no network, for offline readers and for CI.
2. **An ``.ipynb`` download on every chapter.** MyST-NB pages are ``.md``
   files; the theme offers an ``.ipynb`` download only if ``ipynb_source`` is
   in the page context. We write the executed notebook (outputs included)
   next to the page sources and set it; ``gaebook_downloads`` then rewrites
   it so that it reads well in JupyterLab.
3. **No duplicate inline scripts.** sphinx-thebe registers its inline
   configuration twice, which redeclares a ``const`` and logs a console
   error on every page; identical inline scripts are dropped.
4. **The book's own CSS and JavaScript** (``book/_static/gaebook.css``,
   ``gaebook.js``): wide equations and outputs scroll in their own box, the
   animation player fits a phone, print/PDF styles, the γ/λ explorer of
   chapter 7, and a fix for togglebutton's clicks on links in dropdown titles.
5. **A link to the whole book as a PDF** (``gaebook.pdf``, written next to
   the HTML by ``make pdf``) in every page's download menu.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

STATIC = Path(__file__).resolve().parent.parent / "_static"
#: The whole book as one PDF, written into the HTML folder by ``make pdf``.
PDF_NAME = "gaebook.pdf"

#: What tex-mml-chtml.js loads at run time (fonts, TeX extensions, menu, a11y).
MATHJAX_PARTS = ["tex-mml-chtml.js", "input", "output/chtml", "ui", "a11y", "adaptors"]


def mathjax_source() -> Path:
    try:
        import mathjax  # provided by django-static-mathjax
    except ImportError as exc:  # pragma: no cover - the pinned requirements install it
        raise ExtensionError("gaebook_html: install django-static-mathjax (see requirements.txt)") from exc
    src = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    if not (src / "tex-mml-chtml.js").is_file():
        raise ExtensionError(f"gaebook_html: no tex-mml-chtml.js under {src}")
    return src


def copy_mathjax(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    src = mathjax_source()
    dest = Path(app.outdir) / "_static" / "mathjax"
    for part in MATHJAX_PARTS:
        s, d = src / part, dest / part
        if s.is_dir():
            shutil.copytree(s, d, dirs_exist_ok=True)
        elif s.is_file():
            d.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(s, d)


def _notebook_for(app: Sphinx, pagename: str) -> Path | None:
    """The executed notebook MyST-NB wrote for ``pagename``, if it is a notebook page."""
    if "kernelspec" not in app.env.metadata.get(pagename, {}):
        return None
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    return executed if executed.is_file() else None


def add_notebook_download(app: Sphinx, pagename, templatename, context, doctree) -> None:
    if app.builder.format != "html":
        return
    notebook = _notebook_for(app, pagename)
    if notebook is None:
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(notebook, target)  # rewritten for JupyterLab by gaebook_downloads, after the theme
    context["ipynb_source"] = f"{pagename}.ipynb"


def drop_duplicate_scripts(app: Sphinx, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        # an inline script's filename is None or "" depending on who added it
        key = (getattr(script, "filename", None) or "", repr(sorted(getattr(script, "attributes", {}).items())))
        if key in seen:
            continue
        seen.add(key)
        unique.append(script)
    scripts[:] = unique  # in place: later handlers (MathJax) append to this very list


def add_static_files(app: Sphinx, config) -> None:
    if str(STATIC) not in [str(p) for p in config.html_static_path]:
        config.html_static_path.append(str(STATIC))


def add_book_pdf_link(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Offer the whole book's PDF next to the theme's per-page downloads."""
    if app.builder.format != "html":
        return
    link = {
        "type": "link",
        "url": context["pathto"](PDF_NAME, 1),
        "text": "whole book .pdf",
        "tooltip": "The whole book as one PDF",
        "icon": "fas fa-book",
        "label": "download-book-pdf-button",
    }
    for button in context.get("header_buttons", []):
        if button.get("label") == "download-buttons":
            button["buttons"].append(link)
            return
    context.setdefault("header_buttons", []).append(
        {**link, "tooltip": "Download the whole book as one PDF", "icon": "fas fa-file-pdf"}
    )


def setup(app: Sphinx) -> dict:
    mathjax_source()  # fail early, before any chapter executes, if MathJax is missing
    app.connect("config-inited", add_static_files)
    app.add_css_file("gaebook.css")
    app.add_js_file("gaebook.js", defer="defer")
    app.connect("html-page-context", add_book_pdf_link, priority=600)  # after the theme's buttons (501)
    app.connect("build-finished", copy_mathjax)
    app.setup_extension("gaebook_downloads")  # the wheel, student set and zip published with the site
    app.connect("html-page-context", add_notebook_download, priority=400)  # before the theme's buttons (501)
    app.connect("html-page-context", drop_duplicate_scripts, priority=450)  # before handlers that end the event
    return {"parallel_read_safe": True, "parallel_write_safe": True}
