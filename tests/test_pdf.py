"""The whole book as one PDF (``make pdf``), printed from the HTML by Chromium.

Builds the PDF from the session's strict HTML build (or, for authors, from
``GAEBOOK_HTML``; ``GAEBOOK_PDF`` names an existing PDF to check instead) and
checks it with ``pypdf``: a page count in the expected range, every chapter's
title in the text, no blank page, one bookmark per page of the book.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from conftest import ROOT, toc_files
from test_browser import chromium_path  # noqa: F401  (fixture: skip or fail without Chromium)

pytestmark = [pytest.mark.book, pytest.mark.browser]


@pytest.fixture(scope="module")
def html_dir(request) -> Path:
    given = os.environ.get("GAEBOOK_HTML")
    if given:
        return Path(given)
    built = request.getfixturevalue("built_book")
    if built.code != 0:
        pytest.fail(f"the strict book build failed:\n{built.tail()}", pytrace=False)
    return built.html


@pytest.fixture(scope="module")
def pdf(html_dir, chromium_path, tmp_path_factory):  # noqa: F811
    from pypdf import PdfReader

    given = os.environ.get("GAEBOOK_PDF")
    if given:
        return PdfReader(given)
    from tools.book_pdf import build_pdf

    out = build_pdf(html_dir, tmp_path_factory.mktemp("pdf") / "gaebook.pdf", echo=False)
    return PdfReader(out)


def printed_pages(html_dir: Path) -> list[str]:
    return [s for s in toc_files() if (html_dir / f"{s}.html").is_file()]


def chapter_title(stem: str) -> str:
    """The first '# ' heading of the page's source, maths removed (MathJax glyphs are not text)."""
    source = (ROOT / f"{stem}.md").read_text()
    heading = next(line[2:] for line in source.splitlines() if line.startswith("# "))
    return re.sub(r"\$[^$]*\$", " ", heading)


def words(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.replace("ﬂ", "fl").replace("ﬁ", "fi").replace("ﬀ", "ff")).split()).lower()


def test_page_count_is_plausible(pdf, html_dir):
    n_pages = len(printed_pages(html_dir))
    assert 2 * n_pages <= len(pdf.pages) <= 40 * n_pages, f"{len(pdf.pages)} PDF pages for {n_pages} book pages"


def test_every_chapter_title_is_in_the_text(pdf, html_dir):
    text = words(" ".join(page.extract_text() or "" for page in pdf.pages))
    missing = [s for s in printed_pages(html_dir) if words(chapter_title(s)) not in text]
    assert missing == [], f"titles not found in the PDF's text: {[chapter_title(s) for s in missing]}"


def test_no_page_is_blank(pdf):
    blank = []
    for number, page in enumerate(pdf.pages, start=1):
        lines = (page.extract_text() or "").strip().splitlines()
        body = "\n".join(lines[:-1]) if number > 1 else "\n".join(lines)  # the last line is the footer
        resources = page.get("/Resources") or {}
        has_images = bool(resources.get("/XObject")) if resources else False
        # a page whose only content is the tail of a cell (one short line of typeset
        # output, e.g. "boundary = 1") is short but not blank; an empty body is blank
        if len("".join(body.split())) < 3 and not has_images:
            blank.append(number)
    assert blank == [], f"blank pages: {blank}"


def test_one_bookmark_per_page_of_the_book(pdf, html_dir):
    assert len(pdf.outline) == len(printed_pages(html_dir))
