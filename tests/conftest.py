"""Shared fixtures: the strict book build, done once per test session."""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs hypothesis derandomised (the same examples every run, so a red build is reproducible and
# never a lucky draw); locally each run explores new examples. Override with HYPOTHESIS_PROFILE.
settings.register_profile("ci", derandomize=True, print_blob=True, deadline=None)
settings.register_profile("dev")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") == "true" else "dev"))

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the book's tooling: tools/ at the repository root, not in the wheel
    sys.path.insert(0, str(ROOT))
#: The test build lives under _build/ so CI can upload its reports on failure.
TEST_BUILD = ROOT / "_build" / "test-book"


@dataclass
class BuiltBook:
    code: int
    output: str
    html: Path
    executed: Path

    def tail(self, n: int = 120) -> str:
        return "\n".join(self.output.splitlines()[-n:])


def toc_files() -> list[str]:
    """Every file listed in _toc.yml, as repository-relative stems (book/ch07_gae)."""
    from tools.book_pdf import toc_pages  # the one reader of _toc.yml (the PDF uses it too)

    return toc_pages(ROOT)


@pytest.fixture(scope="session")
def built_book() -> BuiltBook:
    """Build the whole book from clean, strictly (-W -n --keep-going), once."""
    from tools.build import build_book

    if TEST_BUILD.exists():
        shutil.rmtree(TEST_BUILD)
    TEST_BUILD.mkdir(parents=True)
    code, output = build_book(ROOT, TEST_BUILD, echo=False)
    (TEST_BUILD / "build-log.txt").write_text(output)
    return BuiltBook(
        code=code,
        output=output,
        html=TEST_BUILD / "_build" / "html",
        executed=TEST_BUILD / "_build" / "jupyter_execute",
    )


@pytest.fixture(scope="session")
def book_html(built_book) -> Path:
    """The built HTML folder; every test that needs it fails if the build failed."""
    if built_book.code != 0:
        pytest.fail(f"the strict book build failed:\n{built_book.tail()}", pytrace=False)
    return built_book.html
