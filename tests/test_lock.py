"""The lock file: every direct pin of requirements.txt, every transitive dependency, with hashes.

``make`` installs ``requirements.lock`` with ``pip --require-hashes``; ``make lock``
recompiles it from ``requirements.txt`` (uv, from PyPI). These checks catch a
lock that was not refreshed after a pin changed.
"""

from __future__ import annotations

import re

from conftest import ROOT

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;\\]+)")


def pins(path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        m = PIN.match(line.strip())
        if m:
            found.setdefault(re.sub(r"[-_.]+", "-", m.group(1)).lower(), []).append(m.group(3))
    return found


def test_every_direct_pin_is_in_the_lock_at_the_same_version():
    direct, locked = pins(ROOT / "requirements.txt"), pins(ROOT / "requirements.lock")
    stale = {name: (version, locked.get(name)) for name, (version, *_) in direct.items()
             if version not in locked.get(name, [])}
    assert stale == {}, f"requirements.lock is stale (run `make lock`): {stale}"


def test_every_locked_package_is_pinned_with_a_hash():
    blocks = re.split(r"\n(?=[A-Za-z0-9])", (ROOT / "requirements.lock").read_text())
    entries = [b for b in blocks if PIN.match(b)]
    assert len(entries) > 100, "the lock should hold every transitive dependency"
    unhashed = [b.split()[0] for b in entries if "--hash=sha256:" not in b]
    assert unhashed == []


def test_pip_itself_is_pinned():
    assert "pip" in pins(ROOT / "requirements.txt") and "pip" in pins(ROOT / "requirements.lock")
    make_pip = re.search(r"^PIP_VERSION := (\S+)", (ROOT / "Makefile").read_text(), flags=re.M)
    assert make_pip and [make_pip.group(1)] == pins(ROOT / "requirements.txt")["pip"]
