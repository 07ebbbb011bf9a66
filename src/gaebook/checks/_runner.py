"""The engine behind every self-check: run a reader's function on cases, compare, report.

A self-check never shows the reference implementation. It prints a short
report: how many cases passed, and for the first failing case its inputs,
the expected output and what the reader's function returned (or raised).
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import numpy as np

__all__ = ["Case", "CheckResult", "run_check"]


@dataclass(frozen=True)
class Case:
    """One input to a self-check: a short description, positional and keyword arguments."""

    description: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)


@dataclass
class CheckResult:
    """Outcome of a self-check. Truthy when every case passed."""

    name: str
    n_cases: int
    n_passed: int
    report: str

    @property
    def passed(self) -> bool:
        return self.n_passed == self.n_cases

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return f"CheckResult({self.name!r}, passed={self.passed}, {self.n_passed}/{self.n_cases} cases)"


def _fmt(x: Any) -> str:
    with np.printoptions(precision=4, suppress=True, threshold=40, linewidth=88):
        if isinstance(x, np.ndarray):
            return f"array(shape={x.shape}, dtype={x.dtype})\n    {np.array2string(x, prefix='    ')}"
        if isinstance(x, tuple):
            return "(" + ", ".join(_fmt(v) for v in x) + ")"
        return repr(x)


def _close(expected, got, rtol, atol) -> bool:
    if isinstance(expected, tuple):
        return (
            isinstance(got, tuple | list)
            and len(got) == len(expected)
            and all(_close(e, g, rtol, atol) for e, g in zip(expected, got))
        )
    if isinstance(expected, np.ndarray) or isinstance(got, np.ndarray):
        try:
            g = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            return False
        e = np.asarray(expected, dtype=float)
        return g.shape == e.shape and bool(np.allclose(g, e, rtol=rtol, atol=atol))
    if isinstance(expected, (bool, np.bool_)):
        return bool(got) == bool(expected) and isinstance(got, (bool, np.bool_))
    if isinstance(expected, (int, float, np.number)):
        try:
            return bool(np.isclose(float(got), float(expected), rtol=rtol, atol=atol))
        except (TypeError, ValueError):
            return False
    return got == expected


def run_check(
    name: str,
    candidate: Callable,
    reference: Callable,
    cases: Iterable[Case],
    *,
    rtol: float = 1e-6,
    atol: float = 1e-8,
    compare: Callable[[Any, Any], bool] | None = None,
    quiet: bool = False,
) -> CheckResult:
    """Run ``candidate`` and ``reference`` on every case and report the first mismatch.

    Args:
        name: what is being checked, e.g. ``"gae"``; shown in the report.
        candidate: the reader's function.
        reference: the library's function with the same call signature.
        cases: the inputs; arrays are copied before each call so a candidate
            that modifies its inputs cannot change what the reference sees.
        rtol, atol: tolerances for floating-point comparisons.
        compare: optional ``compare(expected, got) -> bool`` replacing the default.
        quiet: do not print the report (tests use this).

    Raises:
        NotImplementedError: re-raised from an unfilled scaffold, after a friendly
            line, so that running a student notebook stops at its first open exercise.
    """
    if not callable(candidate):
        raise ValueError(f"candidate must be a function, got {type(candidate).__name__}")
    cases = list(cases)
    same = compare or (lambda e, g: _close(e, g, rtol, atol))
    lines: list[str] = []
    n_passed = 0
    first_failure = None
    for i, case in enumerate(cases, 1):
        def fresh():
            copy = lambda v: v.copy() if isinstance(v, np.ndarray) else v  # noqa: E731
            return tuple(copy(a) for a in case.args), {k: copy(v) for k, v in case.kwargs.items()}

        args, kwargs = fresh()
        expected = reference(*args, **kwargs)
        args, kwargs = fresh()
        try:
            got = candidate(*args, **kwargs)
        except NotImplementedError:
            # An unfilled scaffold stops "Run all" here, as a student notebook should.
            print(f"✗ {name}: not implemented yet. Fill in the function, then run this cell again.")
            raise
        except Exception as exc:  # the reader's bug, reported rather than raised
            got = exc
            tb = traceback.format_exception_only(type(exc), exc)[-1].strip()
            ok = False
        else:
            tb = None
            ok = same(expected, got)
        if ok:
            n_passed += 1
        elif first_failure is None:
            first_failure = (i, case, expected, got, tb)
    if first_failure is None:
        lines.append(f"✓ {name}: all {len(cases)} cases passed.")
    else:
        i, case, expected, got, tb = first_failure
        lines.append(f"✗ {name}: {n_passed} of {len(cases)} cases passed. First failure, case {i}: {case.description}")
        for j, a in enumerate(case.args):
            lines.append(f"  arg {j}: {_fmt(a)}")
        for k, v in case.kwargs.items():
            lines.append(f"  {k} = {_fmt(v)}")
        lines.append(f"  expected: {_fmt(expected)}")
        lines.append(f"  raised:   {tb}" if tb else f"  got:      {_fmt(got)}")
    return _finish(name, len(cases), n_passed, lines, quiet)


def _finish(name, n_cases, n_passed, lines, quiet) -> CheckResult:
    report = "\n".join(lines)
    if not quiet:
        print(report)
    return CheckResult(name=name, n_cases=n_cases, n_passed=n_passed, report=report)
