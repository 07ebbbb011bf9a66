"""The whole book as one PDF, printed from the built HTML by Chromium.

``python tools/book_pdf.py`` (or ``make pdf``) opens every page of
``_toc.yml`` in Debian's Chromium through Playwright, waits for MathJax,
prepares the page for paper and prints it with ``page.pdf``; the pages are
joined with ``pypdf`` behind a title page, with one bookmark per page. No
LaTeX, nothing downloaded: MathJax, fonts and images come from the built site.

What paper gets (``book/_static/gaebook.css`` ``@media print`` and
``gaebookPrepareForPrint`` in ``book/_static/gaebook.js``):

- code wraps instead of scrolling; no scrollbars, navigation or buttons;
- each animation is shown at its **last frame** (the finished backward pass,
  the trained policy), its player controls hidden;
- the γ/λ explorer shows its table and chart at the default γ and λ;
- **solutions are printed at the end of each chapter**, under "Solutions to
  the exercises", opened; cells whose input is folded on the page stay folded.

The PDF is written to ``_build/html/gaebook.pdf``, where every page's
download menu links to it (``book/_ext/gaebook_html.py``).
"""

from __future__ import annotations

import argparse
import functools
import html
import http.server
import io
import os
import shutil
import sys
import threading
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PDF_NAME = "gaebook.pdf"
CHROMIUM_CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
FOOTER = (
    '<div style="font-size:8px;width:100%;padding:0 14mm;color:#555;display:flex;'
    'justify-content:space-between;font-family:sans-serif">'
    '<span class="title"></span><span><span class="pageNumber"></span> / '
    '<span class="totalPages"></span></span></div>'
)


def toc_pages(root: Path = ROOT) -> list[str]:
    """Every page of ``_toc.yml`` in reading order, as stems (``book/ch07_gae``)."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            files.append(chapter["file"])
            files.extend(s["file"] for s in chapter.get("sections", []))
    return files


def find_chromium() -> str:
    for path in [os.environ.get("CHROMIUM_PATH", ""), *CHROMIUM_CANDIDATES]:
        if path and Path(path).is_file():
            return path
    found = shutil.which("chromium")
    if not found:
        raise SystemExit("book_pdf: no Chromium found (install Debian's chromium, or set CHROMIUM_PATH)")
    return found


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _title_page(book_title: str, author: str, chapters: list[str]) -> str:
    items = "".join(f"<li>{html.escape(t)}</li>" for t in chapters)
    return f"""<!doctype html><html><head><meta charset="utf-8"><style>
      body {{ font-family: sans-serif; margin: 0; }}
      h1 {{ font-size: 30pt; margin: 60mm 0 6mm; }}
      .by {{ font-size: 13pt; color: #444; }}
      ol {{ margin-top: 20mm; font-size: 11pt; line-height: 1.6; }}
      .note {{ margin-top: 12mm; font-size: 9pt; color: #555; }}
    </style></head><body>
      <h1>{html.escape(book_title)}</h1><div class="by">{html.escape(author)}</div>
      <ol style="list-style: none; padding-left: 0">{items}</ol>
      <p class="note">Printed from the HTML edition by Chromium. Every number was computed when
      the book was built. Animations show their last frame; solutions follow each chapter.</p>
    </body></html>"""


def _drop_trailing_blank(pdf: bytes) -> bytes:
    """Remove a last page that holds nothing but the footer (a box's bottom margin spilt onto it)."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(pdf))
    last = reader.pages[-1]
    body = (last.extract_text() or "").strip().splitlines()[:-1]  # the last line is the footer
    resources = last.get("/Resources") or {}
    if len(reader.pages) < 2 or "".join(body).strip() or (resources and resources.get("/XObject")):
        return pdf
    writer = PdfWriter()
    for page in reader.pages[:-1]:
        writer.add_page(page)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def build_pdf(html_dir: Path, out: Path | None = None, *, root: Path = ROOT, echo: bool = True) -> Path:
    """Print every toc page of the built site in ``html_dir`` and join them into ``out``."""
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader, PdfWriter

    html_dir = Path(html_dir).resolve()
    out = Path(out) if out else html_dir / PDF_NAME
    stems = [s for s in toc_pages(root) if (html_dir / f"{s}.html").is_file()]
    if not stems:
        raise SystemExit(f"book_pdf: no built pages under {html_dir}; run 'make book' first")
    config = yaml.safe_load((root / "_config.yml").read_text())
    handler = functools.partial(_Quiet, directory=str(html_dir))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    writer = PdfWriter()
    titles = []
    start = time.perf_counter()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=find_chromium(),
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
            )
            if echo:
                print(f"book_pdf: Chromium {browser.version}")
            page = browser.new_page(viewport={"width": 1000, "height": 1400})
            parts = []
            for stem in stems:
                page.goto(f"{base}/{stem}.html", wait_until="load")
                page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
                page.emulate_media(media="print")
                page.evaluate("() => window.gaebookPrepareForPrint && window.gaebookPrepareForPrint()")
                page.wait_for_timeout(150)
                title = page.evaluate("() => (document.querySelector('article h1') || {}).innerText || document.title")
                title = title.replace("#", "").strip()
                pdf = page.pdf(
                    format="A4",
                    print_background=True,
                    display_header_footer=True,
                    header_template="<span></span>",
                    footer_template=FOOTER,
                    margin={"top": "14mm", "bottom": "16mm", "left": "14mm", "right": "14mm"},
                )
                parts.append((title, _drop_trailing_blank(pdf)))
                titles.append(title)
                page.emulate_media(media="screen")
                if echo:
                    print(f"book_pdf: {stem}: {len(PdfReader(io.BytesIO(pdf)).pages)} pages")
            page.set_content(_title_page(config.get("title", "gaebook"), config.get("author", ""), titles))
            cover = page.pdf(format="A4", print_background=True, margin={"top": "20mm", "left": "20mm"})
            browser.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
    writer.append(PdfReader(io.BytesIO(cover)))
    for title, pdf in parts:
        first = len(writer.pages)
        writer.append(PdfReader(io.BytesIO(pdf)))
        writer.add_outline_item(title=title, page_number=first)
    writer.add_metadata({"/Title": config.get("title", "gaebook"), "/Author": config.get("author", "")})
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as fh:
        writer.write(fh)
    if echo:
        size = out.stat().st_size / 1e6
        print(f"book_pdf: wrote {out} ({len(writer.pages)} pages, {size:.1f} MB) "
              f"in {time.perf_counter() - start:.0f} s")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html", help="the built site")
    parser.add_argument("--out", type=Path, default=None, help=f"the PDF (default: <html>/{PDF_NAME})")
    args = parser.parse_args(argv)
    build_pdf(args.html, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
