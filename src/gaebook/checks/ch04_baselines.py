"""Self-checks for chapter 4 (baselines)."""

from __future__ import annotations

import numpy as np

from ..trajectories import optimal_constant_baseline
from ._runner import Case, run_check

__all__ = ["check_optimal_baseline"]


def check_optimal_baseline(candidate, *, quiet: bool = False):
    """Check ``candidate(scores, returns)``: the optimal constant baseline per parameter.

    ``scores`` is ``[N, d]``, ``returns`` is ``[N]``; the expected output is the
    ``[d]`` array :math:`b_i^* = \\sum_n g_{n,i}^2 R_n / \\sum_n g_{n,i}^2`.
    """
    rng = np.random.default_rng(404)
    cases = [
        Case("two samples, one parameter", (np.array([[1.0], [-2.0]]), np.array([3.0, 0.0]))),
        Case("parameters with different score scales", (np.array([[1.0, 10.0], [2.0, 0.1]]), np.array([1.0, 5.0]))),
        Case("constant returns: b* is that constant", (rng.normal(size=(5, 3)), np.full(5, -2.5))),
    ]
    for _ in range(5):
        n, d = int(rng.integers(3, 50)), int(rng.integers(1, 4))
        g = rng.normal(size=(n, d)) * rng.uniform(0.2, 3.0, size=d)
        cases.append(Case(f"random samples, N = {n}, d = {d}", (g, rng.normal(size=n) * 2 + 1)))
    return run_check("optimal_baseline", candidate, optimal_constant_baseline, cases, quiet=quiet)
