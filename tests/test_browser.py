"""The built HTML in a real browser: math typeset, images load, navigation and search work.

Runs Debian's Chromium through Playwright (``playwright install`` cannot
download browsers here). Without a Chromium these tests skip with a reason,
unless ``REQUIRE_BROWSER=1`` (set by ``.ci/run``), which turns the skip into a
failure. Screenshots of every page go to ``_build/screenshots/`` for review.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest

from conftest import ROOT, toc_files

pytestmark = [pytest.mark.book, pytest.mark.browser]

SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM_CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]


def find_chromium() -> str | None:
    for path in [os.environ.get("CHROMIUM_PATH", ""), *CHROMIUM_CANDIDATES]:
        if path and Path(path).is_file():
            return path
    return shutil.which("chromium")


@pytest.fixture(scope="module")
def chromium_path():
    path = find_chromium()
    if path is None:
        reason = "no Chromium found (install Debian's chromium, or set CHROMIUM_PATH)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="module")
def server(book_html):
    handler = functools.partial(QuietHandler, directory=str(book_html))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output readable
        pass


@pytest.fixture(scope="module")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        print(f"\nbrowser tests run with Chromium {browser.version} ({chromium_path})")
        yield browser
        browser.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("requestfailed", lambda r: page.errors.append(f"request failed: {r.url}"))
    yield page
    context.close()


def open_page(page, url: str) -> None:
    page.goto(url, wait_until="load")
    page.wait_for_function("() => !window.MathJax || (window.MathJax.startup && window.MathJax.startup.promise)")
    page.evaluate("() => window.MathJax && window.MathJax.startup ? window.MathJax.startup.promise : null")


@pytest.mark.parametrize("stem", toc_files())
def test_page_renders_cleanly(page, server, stem):
    open_page(page, f"{server}/{stem}.html")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{stem.replace('/', '_')}.png"), full_page=True)

    assert page.errors == [], f"console errors on {stem}: {page.errors}"

    math_nodes = page.locator(".math, span.math, div.math").count()
    if math_nodes:
        typeset = page.locator("mjx-container").count()
        assert typeset >= math_nodes, f"{stem}: {math_nodes} math nodes but {typeset} typeset"
        raw = page.evaluate(
            """() => [...document.querySelectorAll('.math')]
                   .filter(e => !e.querySelector('mjx-container')).length"""
        )
        assert raw == 0, f"{stem}: {raw} formulas left as raw TeX"

    broken = page.evaluate(
        "() => [...document.images].filter(i => i.complete && i.naturalWidth === 0 && i.src).map(i => i.src)"
    )
    assert broken == [], f"{stem}: images that did not load: {broken}"


def test_sidebar_navigation_reaches_every_chapter(page, server):
    open_page(page, f"{server}/{toc_files()[0]}.html")
    links = page.locator("nav.bd-docs-nav a.reference.internal")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert len(hrefs) >= len(toc_files()) - 1
    # click through to the last page in the sidebar and check we arrived
    links.nth(links.count() - 1).click()
    page.wait_for_load_state("load")
    assert page.url.endswith(".html") and page.url != f"{server}/{toc_files()[0]}.html"
    assert page.locator("h1").count() >= 1


def test_search_finds_the_notation_page(page, server):
    page.goto(f"{server}/search.html?q=truncated", wait_until="load")
    # Sphinx adds results one at a time; read them once it reports it has finished
    page.wait_for_function(
        """() => /finished/i.test(
            document.querySelector('#search-results p.search-summary')?.textContent || '')""",
        timeout=30_000,
    )
    results = page.locator("#search-results li a").all_inner_texts()
    assert any("Notation" in r for r in results), results


def test_animations_play_without_a_kernel(page, server, book_html):
    pages = [stem for stem in toc_files() if "_anim_img" in (book_html / f"{stem}.html").read_text()]
    for stem in pages:
        open_page(page, f"{server}/{stem}.html")
        img = page.locator("img[id^='_anim_img']").first
        img.scroll_into_view_if_needed()
        first = img.get_attribute("src")
        # the buttons' icons come from the theme's bundled Font Awesome (no CDN)
        page.wait_for_selector("button[onclick*='next_frame'] svg", timeout=10_000)
        page.locator("button[onclick*='next_frame']").first.click()
        page.wait_for_timeout(200)
        second = img.get_attribute("src")
        assert first != second, f"{stem}: stepping the animation did not change the frame"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        img.screenshot(path=str(SCREENSHOTS / f"{stem.replace('/', '_')}-animation-frame2.png"))
