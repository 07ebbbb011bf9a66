"""``gaebook`` is a clean wheel: the mathematics only, no book tooling, correct metadata."""

from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "book" / "_ext"))
import gaebook_downloads as dl  # noqa: E402


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    return dl.build_wheel(tmp_path_factory.mktemp("dist"))


def test_the_wheel_holds_the_library_and_nothing_else(wheel):
    with zipfile.ZipFile(wheel) as zf:
        names = sorted(zf.namelist())
    package = [n for n in names if not n.startswith("gaebook-")]
    expected = sorted(
        p.relative_to(ROOT / "src").as_posix() for p in (ROOT / "src" / "gaebook").rglob("*.py")
    )
    assert package == expected, f"unexpected files: {sorted(set(package) ^ set(expected))}"
    assert all(n.startswith("gaebook/") for n in package)
    for tooling in ("build.py", "coursework.py", "student_edition.py", "assignments.py"):
        assert f"gaebook/{tooling}" not in names, f"book tooling {tooling} leaked into the wheel"
    assert "gaebook/checks/__init__.py" in names and "gaebook/gae.py" in names
    dist_info = {Path(n).name for n in names if n.startswith("gaebook-")}
    assert {"METADATA", "WHEEL", "RECORD"} <= dist_info


def test_the_wheel_metadata_names_only_maths_dependencies(wheel):
    with zipfile.ZipFile(wheel) as zf:
        meta = zf.read(next(n for n in zf.namelist() if n.endswith("/METADATA"))).decode()
    assert re.search(r"^Name: gaebook$", meta, flags=re.M)
    required = [ln.split(":", 1)[1].strip() for ln in meta.splitlines() if ln.startswith("Requires-Dist:")]
    core = sorted(r.split(">")[0].split("=")[0].strip() for r in required if "extra ==" not in r)
    # numerical libraries only (threadpoolctl: gaebook.ppo pins BLAS to one thread)
    assert {"matplotlib", "numpy", "scipy"} <= set(core) <= {"matplotlib", "numpy", "scipy", "threadpoolctl"}, core
    assert not any(k in " ".join(required) for k in ("jupyter-book", "sphinx", "nbgrader", "playwright"))


def test_the_tooling_lives_in_tools_and_computes_paths_from_the_repository():
    for name in ("build", "coursework", "student_edition", "assignments"):
        assert (ROOT / "tools" / f"{name}.py").is_file()
        assert not (ROOT / "src" / "gaebook" / f"{name}.py").exists()
    from tools import build, coursework

    assert build.ROOT == ROOT and coursework.ROOT == ROOT


def test_student_requirements_are_exact_pins_of_what_the_notebooks_import():
    lines = [ln.strip() for ln in (ROOT / "requirements-student.txt").read_text().splitlines()]
    pins = dict(ln.split("==") for ln in lines if ln and not ln.startswith("#"))
    assert all(re.fullmatch(r"\d+(\.\d+)*(\.post\d+)?", v) for v in pins.values()), pins
    for needed in ("numpy", "scipy", "sympy", "matplotlib", "celluloid", "gymnasium", "jupyterlab", "ipykernel"):
        assert needed in pins, f"{needed} missing from requirements-student.txt"
    build = {ln.split("==")[0].lower(): ln.split("==")[1] for ln in
             (ROOT / "requirements.txt").read_text().splitlines() if "==" in ln and not ln.startswith("#")}
    for name, version in pins.items():
        if name.lower() in build:
            assert build[name.lower()] == version, f"{name}: student pin {version}, build pin {build[name.lower()]}"
    imported = set()
    for page in (ROOT / "book").glob("ch*.md"):
        for cell in re.findall(r"^```\{code-cell\}[^\n]*\n(.*?)^```", page.read_text(), flags=re.S | re.M):
            imported |= set(re.findall(r"^\s*(?:from|import) ([a-zA-Z_]\w*)", cell, flags=re.M))
    stdlib = set(sys.stdlib_module_names)
    provided = {"gaebook", "myst_nb", "IPython", "mpl_toolkits"} | {p.lower() for p in pins}
    missing = sorted(m for m in imported - stdlib if m.lower() not in provided)
    assert not missing, f"chapters import {missing}, which the student set does not pin"


def test_the_publish_workflow_uses_trusted_publishing_with_least_privilege():
    import yaml

    wf = yaml.safe_load((ROOT / ".github" / "workflows" / "publish.yml").read_text())
    on = wf.get("on", wf.get(True))
    assert on == {"push": {"tags": ["v*"]}}
    assert wf["permissions"] == {}
    assert wf["jobs"]["build"]["permissions"] == {"contents": "read"}
    assert wf["jobs"]["publish"]["permissions"] == {"id-token": "write"}
    assert wf["jobs"]["publish"]["environment"]["name"] == "pypi"
    steps = [s for job in wf["jobs"].values() for s in job["steps"]]
    for step in steps:
        if "uses" in step:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), f"not pinned by SHA: {step['uses']}"
    publish = [s for s in wf["jobs"]["publish"]["steps"] if "gh-action-pypi-publish" in s.get("uses", "")]
    assert publish and "password" not in publish[0].get("with", {}), "trusted publishing needs no token"
