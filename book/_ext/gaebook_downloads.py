"""Notebook downloads that read well in JupyterLab, and the files a reader installs.

Every chapter page offers its notebook as an ``.ipynb`` download. The executed
notebook that MyST-NB writes is MyST, not Jupyter Markdown, so the download is
rewritten here, at build time, from what Sphinx resolved:

- glued values (``{glue:text}``, ``{glue:md}``) are substituted as text, with
  their format specifications; the ``glue`` import becomes a silent no-op
  (the values are already in the text, and ``myst_nb.glue``'s hidden outputs
  would show as "No renderer could be found" boxes in JupyterLab);
- each ``literalinclude`` becomes a Python listing (a Markdown code block,
  so running the notebook does not redefine the library) with the included source;
- ``prf:`` directives become quotes headed by their numbered name
  ("**Theorem 7.1** (…)"), exercises numbered headings, admonitions quotes;
- an equation label becomes ``\\tag{7.3}``, the number the HTML shows;
- ``{ref}``, ``{numref}``, ``{prf:ref}``, ``{eq}`` become links to the
  published site (``html.baseurl`` in ``_config.yml``), citations author–year
  links to the bibliography page;
- solutions are kept, collapsed (``jupyter.source_hidden``), as the HTML's
  dropdowns are: a download is the reader's copy of the page. Instructors
  hand out the student edition or the nbgrader release instead (``make coursework``);
- a self-check scaffold catches its own ``NotImplementedError``, so "Run all"
  runs to the end; cells hidden on the page are collapsed, not removed;
- the first cell installs the book's library (the wheel published with the
  site) and the pinned student set when ``gaebook`` is missing.

At the end of an HTML build of the repository, the site also receives the
``gaebook`` wheel (``dist/``), ``requirements-student.txt`` and the student
edition's zip, so ``jupyter-book build .`` and ``make book`` publish the same site.
"""

from __future__ import annotations

import ast
import copy
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import nbformat

REPO = Path(__file__).resolve().parents[2]
GLUE_PREFIX = "application/papermill.record/"
GLUE_IMPORT = re.compile(r"^from myst_nb import glue\s*$", flags=re.M)
GLUE_NOOP = (
    "# In the book, glue() records a value for the text; here the text already holds it.\n"
    "glue = lambda name, value, display=True: None"
)
STUDENT_REQUIREMENTS = "requirements-student.txt"
ZIP_NAME = "gaebook-student-edition.zip"

_OPEN = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:.-]+)\}\s*(?P<arg>.*)$")
_ROLE = re.compile(r"\{(?P<name>[\w:.-]+)\}`(?P<content>[^`]*)`")
_EXPLICIT = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", flags=re.S)
_QUOTED = {"prf:theorem", "prf:lemma", "prf:definition", "prf:corollary", "prf:proposition",
           "prf:algorithm", "prf:example", "prf:remark", "prf:conjecture", "prf:axiom",
           "prf:criterion", "prf:observation", "prf:property", "prf:assumption", "prf:notation"}
_ADMONITIONS = {"admonition", "note", "tip", "hint", "warning", "important", "caution", "attention",
                "danger", "error", "seealso", "topic", "margin", "sidebar", "dropdown"}


def package_version(repo: Path = REPO) -> str:
    text = (repo / "src" / "gaebook" / "__init__.py").read_text()
    return re.search(r'^__version__ = "([^"]+)"', text, flags=re.M).group(1)


def wheel_name(repo: Path = REPO) -> str:
    return f"gaebook-{package_version(repo)}-py3-none-any.whl"


def install_cell_source(site_url: str, wheel: str) -> str:
    """The first cell of every download: install gaebook and the student set if missing."""
    site = site_url.rstrip("/") + "/"
    return (
        "# Running this notebook outside the book's repository? This cell installs the\n"
        "# book's library, gaebook, and the pinned student set (NumPy, SciPy, SymPy,\n"
        "# Matplotlib, Gymnasium, JupyterLab, ...) when gaebook is missing; otherwise it\n"
        "# does nothing. Both files come with the published book:\n"
        f"#   {site}{STUDENT_REQUIREMENTS}\n"
        f"#   {site}dist/{wheel}\n"
        "import importlib.util\n"
        "\n"
        'if importlib.util.find_spec("gaebook") is None:\n'
        f'    site = "{site}"\n'
        f'    wheel = f"{{site}}dist/{wheel}"\n'
        f'    get_ipython().run_line_magic("pip", f"install -r {{site}}{STUDENT_REQUIREMENTS} {{wheel}}")'
    )


# --------------------------------------------------------------------------- references


@dataclass
class Target:
    """Where a label points and how the HTML names it."""

    docname: str
    anchor: str
    text: str


@dataclass
class Context:
    """What the Markdown conversion needs to know about the book."""

    site_url: str
    docname: str
    source_dir: Path
    glue: dict = field(default_factory=dict)  # name -> mime bundle
    resolve: Callable[[str, str], Target | None] = lambda role, label: None
    numbered: Callable[[str], str | None] = lambda label: None  # label -> "Theorem 7.1"
    equation: Callable[[str], str | None] = lambda label: None  # label -> "7.3"
    cite: Callable[[str], str] = lambda key: key
    literalinclude: Callable[[str, dict], str] | None = None

    def url(self, target: Target) -> str:
        base = self.site_url.rstrip("/") + "/"
        return f"{base}{target.docname}.html" + (f"#{target.anchor}" if target.anchor else "")


def glue_text(ctx: Context, content: str, markdown: bool = False) -> str:
    """The text MyST-NB shows for ``{glue:text}`name:fmt``` (or ``{glue:md}``)."""
    key = content.split("::")[-1]
    name, _, fmt = key.partition(":")
    bundle = ctx.glue.get(name.strip())
    if bundle is None:
        return f"`{name}` (computed in the book)"
    if markdown and "text/markdown" in bundle:
        return str(bundle["text/markdown"]).strip()
    plain = str(bundle.get("text/plain", ""))
    try:
        from myst_nb.core.variables import format_plain_text
    except ImportError:  # pragma: no cover - outside a book build
        return plain.strip("'")
    return format_plain_text(plain, fmt)


def convert_roles(text: str, ctx: Context) -> str:
    """Replace MyST roles by their text (glue) or by Markdown links to the site."""

    def one(match: re.Match) -> str:
        name, content = match.group("name"), match.group("content")
        if name in ("glue", "glue:", "glue:text", "glue:any"):
            return glue_text(ctx, content)
        if name == "glue:md":
            return glue_text(ctx, content, markdown=True)
        if name in ("math",):
            return f"${content}$"
        if name.startswith("cite"):
            keys = [k.strip() for k in content.split(",") if k.strip()]
            base = ctx.site_url.rstrip("/") + "/book/bibliography.html"
            cited = "; ".join(f"[{ctx.cite(k)}]({base})" for k in keys)
            return cited if name == "cite:t" else f"({cited})"
        if name in ("ref", "numref", "prf:ref", "eq", "doc", "any", "std:ref"):
            explicit = _EXPLICIT.match(content)
            text, label = (explicit.group("text"), explicit.group("target")) if explicit else (None, content)
            label = label.strip()
            target = ctx.resolve(name, label)
            if name == "eq":
                number = ctx.equation(label)
                shown = text or (f"({number})" if number else label)
            elif name in ("numref", "prf:ref") or (name == "ref" and ctx.numbered(label)):
                number = ctx.numbered(label)
                if text and number and "%s" in text:
                    shown = text.replace("%s", number.split(" ", 1)[-1])
                else:
                    shown = text or number or (target.text if target else label)
            else:
                shown = text or (target.text if target else label)
            return f"[{shown}]({ctx.url(target)})" if target else shown
        if name in ("code", "literal", "file", "samp", "kbd", "command", "envvar") or ":" in name:
            return f"`{content}`"
        return content

    return _ROLE.sub(one, text)


# --------------------------------------------------------------------------- Markdown


def _options(body: list[str]) -> tuple[dict, list[str]]:
    """Split a directive body into its options (``:key: value`` or a YAML block) and content."""
    options: dict = {}
    rest = list(body)
    if rest and rest[0].strip() == "---":
        end = next((i for i in range(1, len(rest)) if rest[i].strip() == "---"), None)
        if end is not None:
            import yaml

            options = yaml.safe_load("\n".join(rest[1:end])) or {}
            rest = rest[end + 1:]
    while rest and re.match(r"^\s*:[\w-]+:", rest[0]):
        key, _, value = rest.pop(0).strip()[1:].partition(":")
        options[key] = value.strip()
    return options, rest


def _trim(lines: list[str]) -> list[str]:
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def _quote(lines: list[str]) -> list[str]:
    """A Markdown quote. Display math is joined onto one line: JupyterLab takes the math
    out before it parses Markdown, so a ``>`` inside a ``$$`` block would be typeset."""
    joined: list[str] = []
    math: list[str] | None = None
    for ln in lines:
        if math is None and ln.strip().startswith("$$") and not (ln.strip().endswith("$$") and len(ln.strip()) > 2):
            math = [ln.strip()]
        elif math is not None:
            math.append(ln.strip())
            if ln.strip().endswith("$$"):
                joined.append(" ".join(math))
                math = None
        else:
            joined.append(ln)
    if math is not None:
        joined.append(" ".join(math))
    return [f"> {ln}" if ln.strip() else ">" for ln in joined]


@dataclass
class Segment:
    """A piece of a Markdown cell; ``solution`` marks text that belongs to a solution."""

    text: str
    solution: bool = False
    heading: bool = False


def convert_markdown(source: str, ctx: Context, state: dict) -> list[Segment]:
    """Convert one MyST Markdown cell to Jupyter Markdown segments.

    ``state["solution"]`` carries an open gated solution across cells.
    """
    segments: list[Segment] = []
    buffer: list[str] = []

    def flush():
        text = "\n".join(buffer).strip("\n")
        buffer.clear()
        if text.strip():
            segments.append(Segment(text, solution=bool(state.get("solution"))))

    for line in _convert_lines(source.split("\n"), ctx, state, flush, segments, buffer):
        buffer.append(line)
    flush()
    return segments


def _convert_lines(lines, ctx, state, flush, segments, buffer):
    i = 0
    while i < len(lines):
        line = lines[i]
        if re.match(r"^\([\w:.-]+\)=\s*$", line) or re.match(r"^%", line):
            i += 1
            continue  # a MyST target or comment
        opened = _OPEN.match(line)
        if not opened:
            yield convert_roles(line, ctx)
            i += 1
            continue
        fence, name, arg = opened.group("fence"), opened.group("name"), opened.group("arg").strip()
        j = i + 1
        while j < len(lines) and lines[j].strip() != fence:
            j += 1
        options, body = _options(lines[i + 1:j])
        i = j + 1
        label = str(options.get("label", "")).strip()
        if name == "solution-start":
            flush()
            number = ctx.numbered(arg) or "the exercise"
            segments.append(Segment(f"**Solution to {number}** (collapsed: click the bar on the left "
                                    "of the next cell to open it)", heading=True))
            state["solution"] = True
        elif name == "solution-end":
            flush()
            state["solution"] = False
        elif name == "solution":
            flush()
            number = ctx.numbered(arg) or "the exercise"
            segments.append(Segment(f"**Solution to {number}** (collapsed)", heading=True))
            state["solution"] = True
            yield from _convert_lines(body, ctx, state, flush, segments, buffer)
            flush()
            state["solution"] = False
        elif name in ("exercise-start", "exercise"):
            number = ctx.numbered(label) or "Exercise"
            yield f"### {number}" + (f": {convert_roles(arg, ctx)}" if arg else "")
            if name == "exercise":
                yield ""
                yield from _convert_lines(body, ctx, state, flush, segments, buffer)
        elif name == "exercise-end":
            pass
        elif name in _QUOTED:
            kind = name.split(":", 1)[1].capitalize()
            number = ctx.numbered(label) or kind
            head = f"**{number}**" + (f" ({convert_roles(arg, ctx)})" if arg else "") + "."
            inner = list(_convert_lines(body, ctx, state, flush, segments, buffer))
            yield from _quote([head, "", *_trim(inner)])
        elif name == "prf:proof":
            inner = list(_convert_lines(body, ctx, state, flush, segments, buffer))
            yield from [f"*Proof.* {convert_roles(arg, ctx)}".rstrip(), "", *inner, "", "∎"]
        elif name in _ADMONITIONS:
            title = convert_roles(arg, ctx) if arg else name.capitalize()
            inner = list(_convert_lines(body, ctx, state, flush, segments, buffer))
            yield from _quote([f"**{title}**", "", *_trim(inner)])
        elif name == "literalinclude":
            if ctx.literalinclude is None:
                yield f"*Listing: `{arg}` (see the book)*"
            else:
                shown = arg.replace("../", "")
                what = f", `{options['pyobject']}`" if "pyobject" in options else ""
                yield f"*Listing: `{shown}`{what}, as installed with `gaebook`:*"
                yield ""
                yield "```python"
                yield ctx.literalinclude(arg, options).rstrip("\n")
                yield "```"
        elif name in ("code-block", "code", "sourcecode"):
            yield f"```{arg}"
            yield from body
            yield "```"
        elif name == "math":
            number = ctx.equation(label) if label else None
            yield "$$"
            yield from body
            if number:
                yield rf"\tag{{{number}}}"
            yield "$$"
        elif name in ("glue:md", "glue:text", "glue", "glue:any", "glue:"):
            yield glue_text(ctx, arg, markdown=True)
        elif name in ("glue:math",):
            yield f"$$\n{glue_text(ctx, arg)}\n$$"
        elif name in ("bibliography", "tableofcontents", "toctree", "glue:figure", "raw"):
            pass
        else:  # an unknown directive: keep its text readable
            inner = list(_convert_lines(body, ctx, state, flush, segments, buffer))
            yield from _quote([f"**{convert_roles(arg, ctx) or name}**", "", *_trim(inner)])


_EQ_BLOCK = re.compile(r"^\$\$(?P<body>.*?)\$\$[ \t]*\((?P<label>[\w:.-]+)\)[ \t]*$", flags=re.S | re.M)


def label_equations(text: str, ctx: Context) -> str:
    r"""``$$ … $$ (label)`` -> ``$$ … \tag{7.3} $$``: the number the HTML shows, no stray label."""

    def one(match: re.Match) -> str:
        number = ctx.equation(match.group("label"))
        body = match.group("body").rstrip()
        tag = f"\n\\tag{{{number}}}\n" if number else "\n"
        return f"$${body}{tag}$$"

    return _EQ_BLOCK.sub(one, text)


# --------------------------------------------------------------------------- code cells


def guard_self_checks(source: str) -> str:
    """Wrap each top-level ``check_...(...)`` call so an unfilled scaffold does not stop "Run all"."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    lines = source.split("\n")
    for node in reversed(tree.body):
        call = node.value if isinstance(node, ast.Expr) else None
        if isinstance(node, ast.Assert):
            call = node.test
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id.startswith("check_")):
            continue
        stmt = lines[node.lineno - 1:node.end_lineno]
        wrapped = ["try:", *("    " + ln for ln in stmt),
                   "except NotImplementedError:  # not attempted yet: the check said what to fill in",
                   "    pass"]
        lines[node.lineno - 1:node.end_lineno] = wrapped
    return "\n".join(lines)


def reader_code_cell(cell, *, in_solution: bool) -> nbformat.NotebookNode:
    tags = list(cell.metadata.get("tags", []))
    source = GLUE_IMPORT.sub(GLUE_NOOP, cell.source)
    if "scaffold" in tags:
        source = guard_self_checks(source)
    new = nbformat.v4.new_code_cell(source)
    new.outputs = [o for o in cell.get("outputs", []) if not _is_glue_output(o)]
    new.execution_count = cell.get("execution_count")
    if tags:
        new.metadata["tags"] = tags
    hide_source = in_solution or bool({"remove-input", "hide-input", "remove-cell", "hide-cell"} & set(tags))
    hide_output = in_solution or bool({"remove-output", "hide-output", "remove-cell", "hide-cell"} & set(tags))
    if hide_source or hide_output:
        new.metadata["jupyter"] = {"source_hidden": hide_source, "outputs_hidden": hide_output}
    if in_solution:
        new.metadata["gaebook"] = {"solution": True}
    return new


def _is_glue_output(output) -> bool:
    data = output.get("data", {})
    return bool(data) and all(k.startswith(GLUE_PREFIX) for k in data)


def read_glue(executed_path: Path) -> dict:
    """The glued values MyST-NB saved beside an executed notebook: name -> mime bundle."""
    import json

    sidecar = Path(executed_path).with_suffix(".glue.json")
    if not sidecar.is_file():
        return {}
    return {name: output.get("data", {}) for name, output in json.loads(sidecar.read_text()).items()}


def collect_glue(nb) -> dict:
    glued = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            scrap = output.get("metadata", {}).get("scrapbook")
            if scrap:
                prefix = scrap.get("mime_prefix", "")
                glued[scrap["name"]] = {k[len(prefix):]: v for k, v in output.get("data", {}).items()}
    return glued


def reader_notebook(executed, ctx: Context, *, wheel: str, glue: dict | None = None) -> nbformat.NotebookNode:
    """The download of one page: ``executed`` is MyST-NB's executed notebook.

    ``glue`` maps glued names to their mime bundles (MyST-NB keeps them in
    ``<page>.glue.json`` beside the executed notebook, not in its outputs).
    """
    ctx.glue = {**collect_glue(executed), **(glue or {})}
    cells = [nbformat.v4.new_code_cell(install_cell_source(ctx.site_url, wheel))]
    cells[0].metadata["tags"] = ["install"]
    state = {"solution": False}
    for cell in executed.cells:
        if cell.cell_type == "markdown":
            for seg in convert_markdown(label_equations(cell.source, ctx), ctx, state):
                new = nbformat.v4.new_markdown_cell(seg.text)
                if seg.solution:
                    new.metadata["jupyter"] = {"source_hidden": True}
                    new.metadata["gaebook"] = {"solution": True}
                cells.append(new)
        elif cell.cell_type == "code":
            cells.append(reader_code_cell(cell, in_solution=bool(state["solution"])))
        else:
            cells.append(copy.deepcopy(cell))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    for c in nb.cells:  # nbformat >= 5.1 wants ids; give stable ones
        c.pop("id", None)
    nb = nbformat.v4.upgrade(nb) if hasattr(nbformat.v4, "upgrade") else nb
    for k, c in enumerate(nb.cells):
        c["id"] = f"cell-{k}"
    nbformat.validate(nb)
    return nb


# --------------------------------------------------------------------------- Sphinx


def _cite_texts(bibfile: Path) -> dict:
    """``key -> "Schulman et al. 2016"`` from the BibTeX file (author–year, as the HTML)."""
    texts = {}
    if not bibfile.is_file():
        return texts
    for entry in re.finditer(r"@\w+\{([^,\s]+),(.*?)\n\}", bibfile.read_text(), flags=re.S):
        key, body = entry.group(1), entry.group(2)
        author = re.search(r"\bauthor\s*=\s*[{\"](.*?)[}\"],?\s*\n", body, flags=re.S | re.I)
        year = re.search(r"\byear\s*=\s*[{\"]?(\d{4})", body, flags=re.I)
        names = [n.strip() for n in re.split(r"\s+and\s+", author.group(1))] if author else []

        def last(n: str) -> str:
            n = n.replace("{", "").replace("}", "")
            return n.split(",")[0].strip() if "," in n else n.split()[-1] if n.split() else n

        who = (last(names[0]) + (" et al." if len(names) > 2 else f" and {last(names[1])}" if len(names) == 2 else "")) if names else key
        texts[key] = f"{who} {year.group(1) if year else ''}".strip()
    return texts


def sphinx_context(app, pagename: str) -> Context:
    env = app.env
    numbers: dict[str, tuple[str, str, tuple]] = {}
    for doc, types in getattr(env, "toc_fignumbers", {}).items():
        for kind, ids in types.items():
            for node_id, num in ids.items():
                numbers[node_id] = (doc, kind, num)
    labels = env.domaindata["std"]["labels"]
    names = {"displaymath": "Equation", "figure": "Fig.", "table": "Table", "code-block": "Listing"}

    def numbered(label: str) -> str | None:
        hit = numbers.get(label)
        if not hit:
            return None
        doc, kind, num = hit
        return f"{names.get(kind, kind.capitalize())} {'.'.join(map(str, num))}"

    def equation(label: str) -> str | None:
        hit = numbers.get(f"equation-{label}")
        return ".".join(map(str, hit[2])) if hit else None

    def resolve(role: str, label: str) -> Target | None:
        if role == "eq":
            hit = numbers.get(f"equation-{label}")
            return Target(hit[0], f"equation-{label}", label) if hit else None
        if role == "doc":
            return Target(label.lstrip("/"), "", label)
        if label in labels:
            doc, anchor, text = labels[label]
            return Target(doc, anchor, text or label)
        if label in numbers:
            return Target(numbers[label][0], label, numbered(label) or label)
        return None

    bib = [Path(app.srcdir) / b for b in getattr(app.config, "bibtex_bibfiles", [])]
    cites = {}
    for b in bib:
        cites.update(_cite_texts(b))
    docpath = Path(env.doc2path(pagename))

    def literalinclude(arg: str, options: dict) -> str:
        from sphinx.directives.code import LiteralInclude, LiteralIncludeReader

        filename = (docpath.parent / arg).resolve()
        spec = LiteralInclude.option_spec
        skip = ("caption", "name", "class", "emphasize-lines", "linenos", "lineno-start", "language", "force")
        opts = {k: spec[k](str(v) if v != "" else None) for k, v in options.items() if k in spec and k not in skip}
        text, _ = LiteralIncludeReader(str(filename), opts, app.config).read()
        return text

    return Context(
        site_url=site_url(app),
        docname=pagename,
        source_dir=docpath.parent,
        resolve=resolve,
        numbered=numbered,
        equation=equation,
        cite=lambda key: cites.get(key, key),
        literalinclude=literalinclude,
    )


def site_url(app) -> str:
    return (app.config.html_baseurl or "https://example.invalid/").rstrip("/") + "/"


def write_reader_notebook(app, pagename: str, executed_path: Path, target: Path) -> None:
    """Write the download of ``pagename`` (called by gaebook_html when the page is written)."""
    try:
        executed = nbformat.read(executed_path, as_version=4)
        nb = reader_notebook(executed, sphinx_context(app, pagename), wheel=wheel_name(),
                             glue=read_glue(executed_path))
    except Exception as exc:  # name the page: a download that cannot be written fails the build
        from sphinx.errors import ExtensionError

        raise ExtensionError(f"gaebook_downloads: cannot write the download of {pagename}: {exc!r}") from exc
    nbformat.write(nb, target)


def build_wheel(out_dir: Path, repo: Path = REPO) -> Path:
    """Build the ``gaebook`` wheel from a clean copy of the package (no build isolation)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gaebook-wheel-") as tmp:
        src = Path(tmp) / "gaebook"
        src.mkdir()
        for name in ("pyproject.toml", "README.md", "LICENSE"):
            if (repo / name).is_file():
                shutil.copy2(repo / name, src / name)
        shutil.copytree(repo / "src", src / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        subprocess.run(
            [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out_dir), str(src)],
            check=True, capture_output=True, text=True,
        )
    wheel = out_dir / wheel_name(repo)
    if not wheel.is_file():
        raise RuntimeError(f"expected {wheel.name} in {out_dir}, found {sorted(p.name for p in out_dir.iterdir())}")
    return wheel


def publish_files(app, exception) -> None:
    """Copy the wheel, the student requirements and the student edition into the site."""
    if exception is not None or app.builder.format != "html":
        return
    if Path(app.srcdir).resolve() != REPO or not (REPO / "tools" / "student_edition.py").is_file():
        return  # a scratch or test book: nothing to publish
    out = Path(app.outdir)
    build_wheel(out / "dist")
    shutil.copy2(REPO / STUDENT_REQUIREMENTS, out / STUDENT_REQUIREMENTS)
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from tools.student_edition import write_student_edition

    with tempfile.TemporaryDirectory() as tmp:
        if write_student_edition(Path(tmp), REPO, site_url=site_url(app), wheel=wheel_name()):
            shutil.copy2(Path(tmp) / ZIP_NAME, out / ZIP_NAME)


def rewrite_download(app, pagename, templatename, context, doctree) -> None:
    """Replace the executed notebook offered as the page's download by the reader's notebook.

    Runs after the theme's launch buttons (priority 501), which copy the raw executed
    notebook to ``_sources/`` themselves.
    """
    if app.builder.format != "html" or not context.get("ipynb_source"):
        return
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    target = Path(app.outdir) / "_sources" / context["ipynb_source"]
    if executed.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        write_reader_notebook(app, pagename, executed, target)


def setup(app) -> dict:
    app.connect("html-page-context", rewrite_download, priority=900)
    app.connect("build-finished", publish_files)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":  # `make wheel`: python book/_ext/gaebook_downloads.py OUT_DIR
    print(build_wheel(Path(sys.argv[1] if len(sys.argv) > 1 else REPO / "_build" / "dist")))
