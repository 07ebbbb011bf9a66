"""The published site as a reader meets it, at 1400 px (desktop) and 400 px (phone).

- On a phone the ☰ button opens the table of contents, the page-contents
  button opens the page's outline, and no page scrolls sideways.
- No display equation or SymPy output is wider than its box unless the box
  scrolls (``overflow-x: auto``); the animation player fits a phone.
- The γ/λ explorer of chapter 7 shows what ``gaebook.gae`` computes, to 1e-9.
- A link in a solution's title does not throw (togglebutton.js).
- Shown code (folded cells and collapsed solutions do not count) takes at
  most 30 % of each chapter's height at 1400 px; the shares are written to
  ``_build/code-share.json``. Authors measure a build of their own with
  ``python tools/code_share.py _build/html``.

Uses the fixtures of ``test_browser.py`` (Debian's Chromium through
Playwright). ``GAEBOOK_HTML=/path/to/_build/html`` tests an existing build
instead of building the book (for authors; CI builds it).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

import gaebook
from conftest import ROOT, toc_files
from test_browser import browser, chromium_path, open_page, server  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.book, pytest.mark.browser]

CODE_SHARE_LIMIT = 0.30
CODE_SHARE_JSON = ROOT / "_build" / "code-share.json"
WIDTHS = {"desktop": 1400, "phone": 400}


@pytest.fixture(scope="module")
def book_html(request) -> Path:
    """An existing build named by ``GAEBOOK_HTML``, else the session's strict build."""
    given = os.environ.get("GAEBOOK_HTML")
    if given:
        return Path(given)
    return request.getfixturevalue("built_book_html")


@pytest.fixture(scope="module")
def built_book_html(built_book) -> Path:
    if built_book.code != 0:
        pytest.fail(f"the strict book build failed:\n{built_book.tail()}", pytrace=False)
    return built_book.html


def pages(book_html: Path) -> list[str]:
    """The toc's pages that this build has (all of them in CI)."""
    return [s for s in toc_files() if (book_html / f"{s}.html").is_file()]


def chapters(book_html: Path) -> list[str]:
    return [s for s in pages(book_html) if Path(s).name.startswith("ch")]


@pytest.fixture()
def open_at(browser):  # noqa: F811
    """``open_at(url, width)``: a fresh page of that width with the URL loaded; collects JS errors."""
    contexts = []

    def _open(url: str, width: int):
        context = browser.new_context(viewport={"width": width, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
        open_page(page, url)
        return page

    yield _open
    for context in contexts:
        context.close()


# --------------------------------------------------------------------------- phone navigation
def visible_box(page, selector: str) -> dict | None:
    return page.evaluate(
        """sel => { const e = document.querySelector(sel); if (!e) return null;
                    const r = e.getBoundingClientRect(), s = getComputedStyle(e);
                    return {x: r.x, right: r.right, width: r.width,
                            shown: s.visibility !== 'hidden' && s.display !== 'none' && r.width > 0
                                   && r.right > 0 && r.x < innerWidth}; }""",
        selector,
    )


def test_phone_menu_opens_the_table_of_contents(open_at, server):  # noqa: F811
    page = open_at(f"{server}/book/ch07_gae.html", WIDTHS["phone"])
    assert not visible_box(page, ".bd-sidebar-primary")["shown"], "the sidebar is open before ☰ is pressed"
    page.locator(".primary-toggle:visible").first.click()
    page.wait_for_timeout(500)
    box = visible_box(page, ".bd-sidebar-primary")
    assert box["shown"] and box["x"] >= -1, f"☰ did not open the table of contents: {box}"
    link = page.locator(".bd-sidebar-primary nav.bd-docs-nav a.reference.internal").first
    assert link.is_visible(), "the opened sidebar shows no chapter links"
    assert page.errors == [], page.errors


def test_phone_page_contents_button_opens_the_outline(open_at, server):  # noqa: F811
    page = open_at(f"{server}/book/ch07_gae.html", WIDTHS["phone"])
    assert not visible_box(page, ".bd-sidebar-secondary")["shown"]
    page.locator(".secondary-toggle:visible").first.click()
    page.wait_for_timeout(500)
    box = visible_box(page, ".bd-sidebar-secondary")
    assert box["shown"] and box["right"] <= WIDTHS["phone"] + 1, f"page contents did not open: {box}"
    assert page.locator(".bd-sidebar-secondary a.nav-link:visible").count() >= 3
    assert page.errors == [], page.errors


def test_desktop_has_one_search_field(open_at, server):  # noqa: F811
    page = open_at(f"{server}/book/ch07_gae.html", WIDTHS["desktop"])
    fields = page.locator(".search-button-field:visible, form.bd-search:visible").count()
    assert fields == 1, f"{fields} search fields visible"


# --------------------------------------------------------------------------- nothing overflows
OVERFLOW_JS = """() => {
  const bad = [];
  const scrolls = e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX);
  const name = e => (e.closest('[id]') || {}).id || e.className;
  for (const eq of document.querySelectorAll('mjx-container[display="true"], div.math, .cell_output .output')) {
    if (eq.closest('.toggle-hidden, details:not([open])') || eq.getBoundingClientRect().width === 0) continue;
    // the box itself may scroll; otherwise its content must fit
    if (eq.scrollWidth > eq.clientWidth + 1 && !scrolls(eq)) bad.push('clipped: ' + name(eq));
    // and the box must fit the article column (or sit in a parent that scrolls)
    const col = eq.closest('article.bd-article').getBoundingClientRect();
    const r = eq.getBoundingClientRect();
    let p = eq.parentElement, rescued = false;
    while (p && !p.matches('article')) { if (scrolls(p)) { rescued = true; break; } p = p.parentElement; }
    if (!rescued && r.right > col.right + 2) bad.push('wider than the column: ' + name(eq));
  }
  return bad;
}"""


@pytest.mark.parametrize("width", sorted(WIDTHS.values()))
def test_no_equation_or_output_overflows_and_no_page_scrolls_sideways(open_at, server, book_html, width):  # noqa: F811
    problems = {}
    for stem in pages(book_html):
        page = open_at(f"{server}/{stem}.html", width)
        bad = page.evaluate(OVERFLOW_JS)
        sideways = page.evaluate("document.documentElement.scrollWidth") - width
        if sideways > 1:
            bad.append(f"the page scrolls sideways by {sideways} px")
        if bad:
            problems[stem] = bad
        page.context.close()
    assert problems == {}, f"at {width} px: {json.dumps(problems, indent=1)}"


def test_wide_boxes_show_that_they_scroll(open_at, server):  # noqa: F811
    """A box that scrolls gets the hint marker and the scroll shadows (visible without a scrollbar)."""
    page = open_at(f"{server}/book/ch07_gae.html", WIDTHS["phone"])
    info = page.evaluate(
        """() => [...document.querySelectorAll('mjx-container[display="true"]')]
                 .filter(e => e.scrollWidth > e.clientWidth + 1)
                 .map(e => ({marked: e.classList.contains('gb-overflows'),
                             shadow: getComputedStyle(e).backgroundImage.includes('gradient')}))"""
    )
    assert info, "expected at least one wide equation in chapter 7 at 400 px"
    assert all(i["marked"] and i["shadow"] for i in info), info


def test_animation_player_fits_a_phone(open_at, server, book_html):  # noqa: F811
    stems = [s for s in pages(book_html) if "_anim_img" in (book_html / f"{s}.html").read_text()]
    assert stems, "no page with an animation"
    for stem in stems:
        page = open_at(f"{server}/{stem}.html", WIDTHS["phone"])
        boxes = page.evaluate(
            """() => [...document.querySelectorAll('.animation')].map(a => {
                   const r = a.getBoundingClientRect(); return [r.left, r.right]; })"""
        )
        for left, right in boxes:
            assert left >= -1 and right <= WIDTHS["phone"] + 1, f"{stem}: player spans {left}..{right} px"
        page.context.close()


# --------------------------------------------------------------------------- the γ/λ explorer
def shown(page, name: str) -> tuple[np.ndarray, list[str]]:
    cells = page.locator(f".gae-explorer td[data-name='{name}']")
    values = np.array([float(cells.nth(i).get_attribute("data-value")) for i in range(cells.count())])
    texts = cells.all_inner_texts()
    return values, texts


@pytest.mark.parametrize("truncate", [False, True])
def test_explorer_recomputes_gae_like_the_library(open_at, server, truncate):  # noqa: F811
    page = open_at(f"{server}/book/ch07_gae.html", WIDTHS["desktop"])
    root = page.locator(".gae-explorer")
    ro = json.loads(root.get_attribute("data-rollout"))
    T, k = len(ro["rewards"]), ro["truncation_step"]
    rewards, values = np.array(ro["rewards"]), np.array(ro["values"])
    next_values, terminated = np.array(ro["next_values"]), np.array(ro["terminated"])
    truncated = np.zeros(T, dtype=bool)
    if truncate:
        truncated[k] = True
        next_values[k] = ro["final_value"]
        page.locator(".gae-explorer .gx-trunc").check()
    for gamma, lam in [(0.99, 0.95), (0.9, 0.5), (1.0, 1.0), (0.97, 0.0), (0.5, 0.73), (0.0, 0.3)]:
        page.evaluate(
            """([g, l]) => { for (const [cls, v] of [['.gx-gamma', g], ['.gx-lam', l]]) {
                   const el = document.querySelector('.gae-explorer ' + cls);
                   el.value = String(v); el.dispatchEvent(new Event('input')); } }""",
            [gamma, lam],
        )
        assert float(root.get_attribute("data-gamma")) == gamma and float(root.get_attribute("data-lam")) == lam
        adv, _ = gaebook.gae(rewards, values, next_values, terminated, truncated, gamma=gamma, lam=lam)
        delta = gaebook.td_errors(rewards, values, next_values, terminated, truncated, gamma=gamma)
        for name, expected in [("adv", adv), ("delta", delta)]:
            got, texts = shown(page, name)
            np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9, err_msg=f"{name} at γ={gamma}, λ={lam}")
            # what the reader sees is the same number, rounded to 3 decimals
            assert [float(t) for t in texts] == pytest.approx(np.round(expected, 3), abs=1.5e-3)
        carry, _ = shown(page, "carry")
        np.testing.assert_allclose(adv - delta, carry, rtol=0, atol=1e-9)
        if truncate:
            assert carry[k] == 0.0, "the carry must reset at the time limit"
    assert page.errors == [], page.errors


# --------------------------------------------------------------------------- small breakages
def test_link_in_a_solution_title_does_not_throw(open_at, server):  # noqa: F811
    page = open_at(f"{server}/book/ch07_gae.html", WIDTHS["desktop"])
    title = page.locator(".solution.toggle > .admonition-title").first
    title.scroll_into_view_if_needed()
    target = title.locator("a, span, em").first
    target.click()
    page.wait_for_timeout(300)
    assert page.errors == [], f"clicking inside a solution title threw: {page.errors}"


# --------------------------------------------------------------------------- code share
from tools.code_share import CODE_SHARE_JS  # noqa: E402  (one measure for authors and CI)


def test_code_share_counts_only_code_the_reader_sees(browser):  # noqa: F811
    """Folded (closed details), collapsed (visibility: hidden) and output blocks are not shown code."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.set_content("""<article class="bd-article">
      <div class="highlight" style="height:100px"><pre>shown</pre></div>
      <details><summary>Show code cell source</summary>
        <div class="highlight" style="height:300px"><pre>folded</pre></div></details>
      <div style="visibility:hidden"><div class="highlight" style="height:200px"><pre>solution</pre></div></div>
      <div class="cell_output"><div class="highlight" style="height:50px"><pre>output</pre></div></div>
    </article>""")
    m = page.evaluate(CODE_SHARE_JS)
    page.close()
    assert (m["code_px"], m["blocks"]) == (100, 1)


def test_code_share_per_chapter(open_at, server, book_html):  # noqa: F811
    """Shown code height over page height at 1400 px, per chapter, at most 30 %; written to _build/code-share.json."""
    shares = {}
    for stem in chapters(book_html):
        page = open_at(f"{server}/{stem}.html", WIDTHS["desktop"])
        m = page.evaluate(CODE_SHARE_JS)
        m["share"] = round(m["code_px"] / m["page_px"], 4)
        shares[Path(stem).name] = m
        page.context.close()
    CODE_SHARE_JSON.parent.mkdir(parents=True, exist_ok=True)
    CODE_SHARE_JSON.write_text(json.dumps(shares, indent=1, sort_keys=True) + "\n")
    for name, m in shares.items():
        print(f"code share {name}: {m['share']:.1%} ({m['blocks']} blocks, longest {m['longest_block_lines']} lines)")
    over = {n: m["share"] for n, m in shares.items() if m["share"] > CODE_SHARE_LIMIT}
    assert over == {}, f"shown code above {CODE_SHARE_LIMIT:.0%} of the page: {over}"


# --------------------------------------------------------------------------- the PDF link
def test_every_page_links_to_the_book_pdf(book_html):
    missing = [s for s in pages(book_html) if 'gaebook.pdf"' not in (book_html / f"{s}.html").read_text()]
    assert missing == [], f"pages without a link to the book's PDF: {missing}"
