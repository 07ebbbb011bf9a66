"""Self-check for chapter 13 (:ref:`ch13`): the statistics of a sweep.

The reader writes ``my_sweep_stats(runs, grid, threshold)``. ``runs`` is a
list of ``S`` arrays ``[E_i, 2]`` with rows ``(global_step, return)`` in the
order the episodes completed; ``grid`` is ``[G]`` increasing steps, starting
at or after every run's first episode. The function returns the tuple
``(auc, final, steps_to, n_solved)``:

- ``auc``: ``[S]``, the area under each step-wise curve on ``grid`` (the last
  value at or before each grid step carried forward), by the trapezoid rule,
  divided by ``grid[-1] - grid[0]``;
- ``final``: ``[S]``, each curve's value at ``grid[-1]``;
- ``steps_to``: ``[S]``, the first grid step at which the curve is
  ``>= threshold``, NaN if it never is;
- ``n_solved``: the number of runs that reach the threshold (an ``int``).

The reference is built from :mod:`gaebook.curves`.
"""

from __future__ import annotations

import numpy as np

from ..curves import area_under_curve, interpolate_curves, steps_to_threshold
from ._runner import Case, run_check

__all__ = ["check_sweep_stats"]

RTOL = 1e-9
ATOL = 1e-9


def reference_sweep_stats(runs, grid, threshold):
    """The library's answer: ``(auc, final, steps_to, n_solved)``."""
    grid = np.asarray(grid, dtype=float)
    curves = interpolate_curves(runs, grid)
    steps = steps_to_threshold(grid, curves, threshold)
    return area_under_curve(grid, curves), curves[:, -1].copy(), steps, int(np.sum(~np.isnan(steps)))


def _run(steps, values):
    return np.column_stack([np.asarray(steps, float), np.asarray(values, float)])


def _random_sweep(rng, n_runs, *, grid_kind="uniform", threshold=475.0):
    """Noisy sigmoid learning curves observed at random episode ends; some never reach the threshold."""
    total = 10_000.0
    runs = []
    for _ in range(n_runs):
        n_ep = int(rng.integers(5, 40))
        steps = np.sort(rng.integers(1, int(total), size=n_ep)).astype(float)
        steps[0] = min(steps[0], 400.0)  # the first episode ends early, before the grid starts
        ceiling = rng.choice([500.0, 500.0, 450.0])  # a third of the runs plateau below 475
        mid = rng.uniform(2_000, 8_000)
        values = ceiling / (1 + np.exp(-(steps - mid) / 800)) + rng.normal(0, 15, n_ep)
        runs.append(_run(steps, np.clip(values, 0, 500)))
    if grid_kind == "uniform":
        grid = np.linspace(500.0, total, 20)
    else:
        grid = np.unique(np.concatenate([[500.0, total], rng.uniform(500, total, 12).round()]))
    return runs, grid, threshold


def sweep_stats_cases(seed: int = 13, n_random: int = 12) -> list[Case]:
    """Edge cases of the step-wise curve and its statistics, then random sweeps."""
    rng = np.random.default_rng(seed)
    cases = []

    def add(label, runs, grid, threshold):
        desc = f"{label}: S={len(runs)} runs, grid of {len(grid)} steps from {grid[0]:g} to {grid[-1]:g}, threshold {threshold:g}"
        cases.append(Case(desc, (runs, np.asarray(grid, float), float(threshold))))

    add("one run that crosses the threshold", [_run([0, 10, 20, 30], [10, 200, 480, 500])], [0, 10, 20, 30, 40], 475)
    add("a run that never reaches it (NaN)", [_run([0, 15, 35], [10, 300, 470]), _run([0, 25], [100, 490])],
        [0, 10, 20, 30, 40], 475)
    add("reaching the threshold exactly counts", [_run([0, 20], [0, 475])], [0, 10, 20, 30], 475)
    add("an episode ending between grid steps is seen at the next one", [_run([0, 11], [0, 500])], [0, 10, 20], 475)
    add("two episodes ending on the same step: the later one counts",
        [_run([0, 10, 10], [0, 500, 100])], [0, 10, 20], 475)
    add("non-uniform grid (trapezoids, not the mean of points)",
        [_run([0, 5, 50], [100, 300, 500]), _run([0, 90], [0, 480])], [0, 5, 50, 100], 475)
    add("reached, then lost: the first crossing counts", [_run([0, 10, 20, 30], [0, 490, 200, 100])],
        [0, 10, 20, 30], 475)
    add("solved from the first grid step", [_run([0], [500])], [0, 1000], 475)
    add("no run is solved", [_run([0, 50], [20, 30]), _run([0, 60], [10, 400])], [0, 50, 100], 475)
    add("a low threshold", [_run([0, 50], [20, 30])], [0, 25, 50, 75], 25)
    for i in range(n_random):
        runs, grid, threshold = _random_sweep(rng, int(rng.integers(2, 8)), grid_kind="uniform" if i % 2 else "random")
        add(f"random sweep {i + 1}", runs, grid, threshold)
    return cases


def _compare(expected, got) -> bool:
    if not isinstance(got, (tuple, list)) or len(got) != 4:
        return False
    for e, g in zip(expected[:3], got[:3]):
        try:
            g = np.asarray(g, dtype=float)
        except (TypeError, ValueError):
            return False
        if g.shape != e.shape or not np.allclose(g, e, rtol=RTOL, atol=ATOL, equal_nan=True):
            return False
    n = got[3]
    return isinstance(n, (int, np.integer)) and not isinstance(n, (bool, np.bool_)) and int(n) == expected[3]


def check_sweep_stats(my_sweep_stats, *, seed: int = 13, quiet: bool = False):
    """Check a reader's sweep statistics against :mod:`gaebook.curves` (chapter 13, exercise).

    ``my_sweep_stats(runs, grid, threshold)`` returns ``(auc, final, steps_to,
    n_solved)`` as described in this module. The cases include an episode that
    ends between grid steps, two episodes ending on the same step, a return
    exactly at the threshold, a run that never reaches it (NaN), a run that
    reaches it and falls back, a non-uniform grid, and random sweeps.
    Tolerance: relative and absolute 1e-9 (sums of a few hundred terms in
    double precision); NaN must match NaN.

    Returns:
        A :class:`~gaebook.checks.CheckResult`, truthy when every case passed.
    """
    return run_check("sweep_stats", my_sweep_stats, reference_sweep_stats, sweep_stats_cases(seed),
                     compare=_compare, quiet=quiet)
