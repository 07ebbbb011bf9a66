"""Build the book strictly and report failures in full.

``python tools/build.py`` (or ``make book``) runs::

    jupyter-book build . -W -n --keep-going

so any exception in a chapter or any Sphinx warning (broken reference,
missing citation, nitpicky target) fails the build. When it fails, the
execution reports that myst-nb writes (``_build/html/reports/*.err.log``) are
printed here, tracebacks included, instead of being left behind a log path.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["build_book", "main"]

ROOT = Path(__file__).resolve().parents[1]  # the repository (tools/ lives at its top)


# ipykernel sometimes logs a ZMQ error while a kernel shuts down after its
# notebook has finished ("Socket operation on non-socket" from the control
# channel's stderr flush). It is not a notebook error: the cell outputs and the
# exit code are unaffected. Only that exact logged block is ignored.
_KERNEL_NOISE = re.compile(
    r"ERROR:tornado\.general:Uncaught exception in ZMQStream callback\n"
    r"Traceback \(most recent call last\):\n(?:  .*\n)+?zmq\.error\.ZMQError: [^\n]*\n"
)


def _without_kernel_noise(output: str) -> str:
    """``output`` without ipykernel's logged ZMQ shutdown errors (see ``_KERNEL_NOISE``)."""
    return _KERNEL_NOISE.sub("", output)


def build_book(source: Path = ROOT, path_output: Path | None = None, *, echo: bool = True) -> tuple[int, str]:
    """Run the strict build. Returns ``(exit_code, combined_output)``.

    The HTML lands in ``<path_output>/_build/html`` (``path_output`` defaults
    to ``source``). On failure the execution reports are appended to the output.
    """
    path_output = Path(path_output or source)
    exe = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(exe), "build", str(source), "-W", "-n", "--keep-going", "--path-output", str(path_output)]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=source)
    lines = []
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line)
        if echo:
            sys.stdout.write(line)
            sys.stdout.flush()
    code = proc.wait()
    output = "".join(lines)
    reports = sorted((path_output / "_build" / "html" / "reports").glob("**/*.log"))
    if code != 0 or "Traceback (most recent call last)" in _without_kernel_noise(output):
        code = code or 1
        extra = [f"\n{'=' * 78}\nBUILD FAILED (exit {code}). Execution reports:\n"]
        for report in reports:
            extra.append(f"\n----- {report} -----\n{report.read_text(errors='replace')}")
        if not reports:
            extra.append("(no execution reports were written; the failure is in the Sphinx output above)\n")
        text = "".join(extra)
        output += text
        if echo:
            sys.stdout.write(text)
    elif echo:
        # The downloads (student zip, wheel, reader notebooks) are written by the
        # Sphinx extension in book/_ext, so plain `jupyter-book build` gives the same site.
        print(f"Strict build finished in {time.perf_counter() - start:.0f} s.")
    return code, output


def build_chapter(chapter: Path, *, keep: bool = False) -> int:
    """Build the book in a scratch folder, executing only ``chapter``; for authors.

    Every page of ``book/`` is rendered (so cross-references resolve), but only
    ``chapter`` is executed. Warnings about ``chapter`` fail the run; an
    undefined label is reported but tolerated, since the chapter it points to
    may not be written yet (the full strict build catches it). Prints where
    the HTML is, for screenshots.
    """
    import re
    import shutil
    import tempfile

    import yaml

    chapter = Path(chapter).resolve()
    if not chapter.is_file():
        raise SystemExit(f"no such chapter: {chapter}")
    scratch = Path(tempfile.mkdtemp(prefix=f"gaebook-{chapter.stem}-"))
    shutil.copytree(ROOT / "book", scratch / "book", ignore=shutil.ignore_patterns("*.ipynb", "_build"))
    shutil.copytree(ROOT / "src", scratch / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    others = [p for p in sorted((ROOT / "book").glob("*.md")) if p.name != chapter.name]
    config["execute"]["execute_notebooks"] = "force"
    config["execute"]["exclude_patterns"] = [f"*{p.name}" for p in others]
    (scratch / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    pages = [f"book/{p.stem}" for p in sorted((ROOT / "book").glob("ch*.md"))]
    if f"book/{chapter.stem}" not in pages and chapter.stem not in ("preface", "notation", "bibliography"):
        pages.append(f"book/{chapter.stem}")
    toc = {
        "format": "jb-book",
        "root": "book/preface",
        "parts": [
            {"caption": "Front", "chapters": [{"file": "book/notation"}]},
            *([{"caption": "Chapters", "numbered": True, "chapters": [{"file": p} for p in pages]}] if pages else []),
            {"caption": "Back", "chapters": [{"file": "book/bibliography"}]},
        ],
    }
    (scratch / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False))
    exe = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(exe), "build", str(scratch), "-n", "--keep-going"]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=scratch)
    elapsed = time.perf_counter() - start
    output = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout + proc.stderr)
    mine = [ln for ln in output.splitlines() if chapter.name in ln and ("WARNING" in ln or "ERROR" in ln)]
    fatal = [ln for ln in mine if "undefined label" not in ln]
    for ln in mine:
        print(("FATAL  " if ln in fatal else "later  ") + ln)
    reports = sorted((scratch / "_build" / "html" / "reports").glob("**/*.log"))
    for report in reports:
        print(f"----- {report} -----\n{report.read_text(errors='replace')}")
    html = scratch / "_build" / "html" / "book" / f"{chapter.stem}.html"
    failed = bool(fatal or reports or not html.is_file())
    if not html.is_file():
        print("\n".join(output.splitlines()[-40:]))
    print(f"{'FAILED' if failed else 'OK'}: {chapter.name} built in {elapsed:.0f} s (whole build incl. Sphinx)")
    print(f"HTML: {html}")
    print(f"Serve: python -m http.server 8765 --bind 127.0.0.1 --directory {scratch / '_build' / 'html'}")
    if not keep and failed:
        (scratch / "FAILED").write_text(output)
        print(f"Full log: {scratch / 'FAILED'}")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=ROOT, help="book folder (with _config.yml)")
    parser.add_argument(
        "--path-output", type=Path, default=None, help="folder that receives _build/ (default: the source folder)"
    )
    parser.add_argument("--chapter", type=Path, default=None, help="author mode: execute only this chapter")
    args = parser.parse_args(argv)
    if args.chapter:
        return build_chapter(args.chapter)
    code, _ = build_book(args.source.resolve(), args.path_output and args.path_output.resolve())
    return code


if __name__ == "__main__":
    sys.exit(main())
