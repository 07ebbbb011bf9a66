"""Self-check for chapter 15 (:ref:`ch15`): the affine recurrence by an associative scan.

The reader writes ``my_scan(a, b)`` returning ``x`` with
``x_t = b_t + a_t x_{t+1}`` for ``t = T-1, ..., 0`` and ``x_T = 0``, for arrays
of shape ``[T]`` or ``[T, N]``, by composing the pairs ``(a_t, b_t)`` with the
doubling scan instead of a loop over ``t``. The check compares with the
library's reference loop.
"""

from __future__ import annotations

import numpy as np

from .._scan import backward_loop
from ._runner import Case, run_check

__all__ = ["check_scan"]


def _reference(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if b.ndim == 1:
        return backward_loop(a[:, None], b[:, None])[:, 0]
    return backward_loop(a, b)


def scan_cases(seed: int = 15, n_random: int = 16) -> list[Case]:
    """Edge cases (T = 1, a power of two and one more, zeros in ``a``, [T, N]) and random ones."""
    rng = np.random.default_rng(seed)
    cases = []

    def add(label, a, b):
        cases.append(Case(f"{label}: a and b of shape {np.shape(a)}", (a, b)))

    add("one step (T=1)", np.array([0.7]), np.array([2.0]))
    add("a = 0 everywhere (x = b)", np.zeros(6), rng.normal(size=6))
    a = rng.uniform(0.5, 1.0, size=9)
    a[[2, 5]] = 0.0
    add("episode boundaries (a_t = 0 at t = 2 and 5)", a, rng.normal(size=9))
    add("T = 8, a power of two", rng.uniform(0, 1, 8), rng.normal(size=8))
    add("T = 9, one past a power of two", rng.uniform(0, 1, 9), rng.normal(size=9))
    add("a = 1 everywhere (suffix sums)", np.ones(7), rng.normal(size=7))
    add("several environments [T, N]", rng.uniform(0, 1, (10, 3)), rng.normal(size=(10, 3)))
    for i in range(n_random):
        T = int(rng.integers(2, 40))
        shape = (T,) if i % 2 == 0 else (T, int(rng.integers(2, 5)))
        a = np.where(rng.random(shape) < 0.1, 0.0, rng.uniform(0.0, 1.0, shape))
        add(f"random case {i + 1}", a, rng.normal(size=shape))
    return cases


def check_scan(my_scan, *, seed: int = 15, quiet: bool = False):
    """Check ``my_scan(a, b)`` against the backward loop (chapter 15, exercise).

    Tolerance: relative 1e-9, absolute 1e-12; a scan groups the products
    differently from the loop, so it agrees to rounding error, not bit for bit.
    """
    return run_check("affine scan", my_scan, _reference, scan_cases(seed),
                     rtol=1e-9, atol=1e-12, quiet=quiet)
