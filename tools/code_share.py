"""How much of a chapter's page is shown code, as a reader sees it at 1400 px.

``python tools/code_share.py _build/html [chNN_name ...]`` serves the built
HTML, opens each chapter (or only the ones named) in Debian's Chromium
through Playwright, and prints the height of the shown code blocks over the
height of the article. Code inside a folded ``hide-input`` cell, a closed
dropdown or a collapsed solution is not shown (``checkVisibility()``), so it
does not count; cell outputs do not count either. ``tests/test_site.py`` runs the same measure on the CI build.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
import threading
from pathlib import Path

if __package__ in (None, ""):  # run as a script: python tools/code_share.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tools.book_pdf import find_chromium  # noqa: E402  (CHROMIUM_PATH, Debian's path, then PATH)

__all__ = ["CODE_SHARE_JS", "DESKTOP_WIDTH", "measure"]

DESKTOP_WIDTH = 1400

#: evaluated in the page: shown code height, article height, block count, longest block
CODE_SHARE_JS = """() => {
  const art = document.querySelector('article.bd-article');
  // folded code (a closed <details>, a collapsed solution) keeps a layout box in
  // Chromium, so "shown" is asked of the browser: checkVisibility() is false inside
  // closed details (content-visibility: hidden) and, with these options, when hidden
  const shown = e => e.checkVisibility({opacityProperty: true, visibilityProperty: true});
  const blocks = [...art.querySelectorAll('div.highlight')]
    .filter(e => !e.closest('.cell_output') && !e.parentElement.closest('div.highlight'))
    .filter(shown);
  const code = blocks.reduce((s, e) => s + e.getBoundingClientRect().height, 0);
  const lines = blocks.filter(e => e.getBoundingClientRect().height > 0)
    .map(e => e.innerText.replace(/\\n$/, '').split('\\n').length);
  return {code_px: code, page_px: art.getBoundingClientRect().height,
          blocks: lines.length, longest_block_lines: Math.max(0, ...lines)};
}"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def measure(html: Path, stems: list[str]) -> dict[str, dict]:
    """``{stem: {code_px, page_px, share, blocks, longest_block_lines}}`` for pages ``book/<stem>.html``."""
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_Quiet, directory=str(html))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}"
    out = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=find_chromium(),
                                        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            for stem in stems:
                page = browser.new_page(viewport={"width": DESKTOP_WIDTH, "height": 900})
                page.goto(f"{url}/book/{stem}.html", wait_until="load")
                page.wait_for_function("() => !window.MathJax || (window.MathJax.startup"
                                       " && window.MathJax.startup.promise)")
                page.evaluate("() => window.MathJax && window.MathJax.startup"
                              " ? window.MathJax.startup.promise : null")  # typeset: heights settle
                m = page.evaluate(CODE_SHARE_JS)
                m["share"] = round(m["code_px"] / m["page_px"], 4)
                out[stem] = m
                page.close()
            browser.close()
    finally:
        httpd.shutdown()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path, help="the built HTML folder (…/_build/html)")
    parser.add_argument("stems", nargs="*", help="chapters to measure (default: every book/ch*.html)")
    args = parser.parse_args(argv)
    stems = args.stems or sorted(p.stem for p in (args.html / "book").glob("ch*.html"))
    missing = [s for s in stems if not (args.html / "book" / f"{s}.html").is_file()]
    if not stems or missing:
        raise SystemExit(f"no built chapter pages {missing or ''} under {args.html / 'book'}")
    for stem, m in measure(args.html, stems).items():
        print(f"{stem}: {m['share']:.1%} shown code "
              f"({m['blocks']} blocks, longest {m['longest_block_lines']} lines)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
