"""Properties of the learning-curve statistics in gaebook.curves (chapter 13).

Each statistic is compared with a slow, obviously correct version written here
(a loop over grid points, over episodes, or the full enumeration of splits),
and hypothesis draws runs of different lengths, with ties in the steps.
"""

from __future__ import annotations

import itertools
import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from gaebook.curves import (
    area_under_curve,
    bootstrap_diff_ci,
    bootstrap_mean_ci,
    interpolate_curves,
    permutation_test,
    steps_to_threshold,
    trailing_mean,
)

SETTINGS = settings(max_examples=60, deadline=None)
value = st.floats(min_value=-500.0, max_value=500.0, allow_nan=False, allow_infinity=False)


@st.composite
def runs_and_grid(draw, max_runs=4, max_episodes=8):
    """A few runs with non-decreasing integer steps (ties allowed) and a grid."""
    runs = []
    for _ in range(draw(st.integers(1, max_runs))):
        e = draw(st.integers(0, max_episodes))
        gaps = draw(st.lists(st.integers(0, 30), min_size=e, max_size=e))
        steps = np.cumsum(gaps).astype(float) + draw(st.integers(0, 20))
        vals = draw(st.lists(value, min_size=e, max_size=e))
        runs.append(np.column_stack([steps, vals]) if e else np.zeros((0, 2)))
    points = draw(st.lists(st.integers(-5, 300), min_size=1, max_size=12, unique=True))
    return runs, np.array(sorted(points), dtype=float)


def slow_step_value(run, g):
    """The value of the last row with step <= g, scanning every row; NaN if none."""
    out = math.nan
    for step, v in run:
        if step <= g:
            out = v
    return out


# --------------------------------------------------------------------------- interpolate_curves
@SETTINGS
@given(runs_and_grid())
def test_interpolated_curve_is_the_last_value_at_or_before_each_grid_step(data):
    runs, grid = data
    curves = interpolate_curves(runs, grid)
    expected = np.array([[slow_step_value(r, g) for g in grid] for r in runs])
    assert curves.shape == (len(runs), grid.size)
    np.testing.assert_array_equal(curves, expected)


def test_curve_is_nan_before_the_first_episode_and_the_last_tie_wins():
    run = np.array([[10.0, 1.0], [20.0, 2.0], [20.0, 3.0], [35.0, 4.0]])
    curves = interpolate_curves([run], [0, 9, 10, 19, 20, 34, 35, 100])
    np.testing.assert_array_equal(curves[0], [np.nan, np.nan, 1, 1, 3, 3, 4, 4])


def test_a_run_without_episodes_is_all_nan():
    assert np.isnan(interpolate_curves([np.zeros((0, 2))], [1.0, 2.0])).all()


def test_interpolate_does_not_modify_its_inputs():
    run = np.array([[1.0, 5.0], [2.0, 6.0]])
    grid = np.array([1.0, 3.0])
    before = run.copy(), grid.copy()
    interpolate_curves([run], grid)
    np.testing.assert_array_equal(run, before[0])
    np.testing.assert_array_equal(grid, before[1])


@pytest.mark.parametrize(
    "runs, grid, name",
    [
        ([], [1.0], "runs"),
        (np.zeros((3, 2)), [1.0], "runs"),
        ([np.zeros((3, 3))], [1.0], "runs[0]"),
        ([np.array([[2.0, 1.0], [1.0, 1.0]])], [1.0], "runs[0]"),
        ([np.array([[1.0, np.nan]])], [1.0], "runs[0]"),
        ([np.zeros((1, 2))], [2.0, 1.0], "grid"),
        ([np.zeros((1, 2))], [[1.0]], "grid"),
        ([np.zeros((1, 2))], [], "grid"),
        ([np.zeros((1, 2))], [np.inf], "grid"),
    ],
)
def test_interpolate_names_the_bad_argument(runs, grid, name):
    with pytest.raises(ValueError, match="^" + re.escape(name) + " "):
        interpolate_curves(runs, grid)


# --------------------------------------------------------------------------- trailing_mean
@SETTINGS
@given(st.lists(value, min_size=0, max_size=30), st.integers(1, 8))
def test_trailing_mean_averages_the_last_window_episodes(returns, window):
    run = np.column_stack([np.arange(len(returns), dtype=float), returns]) if returns else np.zeros((0, 2))
    out = trailing_mean(run, window)
    for e in range(len(returns)):
        lo = max(0, e + 1 - window)
        assert out[e, 1] == pytest.approx(np.mean(returns[lo : e + 1]), rel=1e-9, abs=1e-9)
    np.testing.assert_array_equal(out[:, 0], run[:, 0])


def test_trailing_mean_rejects_a_zero_window():
    with pytest.raises(ValueError, match="^window "):
        trailing_mean(np.zeros((2, 2)), 0)


# --------------------------------------------------------------------------- area_under_curve
@SETTINGS
@given(st.lists(st.integers(0, 1000), min_size=2, max_size=12, unique=True), st.data())
def test_auc_is_the_trapezoid_rule_divided_by_the_span(points, data):
    grid = np.array(sorted(points), dtype=float)
    curves = np.array(data.draw(st.lists(st.lists(value, min_size=grid.size, max_size=grid.size), min_size=1, max_size=3)))
    auc = area_under_curve(grid, curves)
    for i, c in enumerate(curves):
        area = sum((grid[k + 1] - grid[k]) * (c[k] + c[k + 1]) / 2 for k in range(grid.size - 1))
        assert auc[i] == pytest.approx(area / (grid[-1] - grid[0]), rel=1e-9, abs=1e-9)


@given(value, st.lists(st.integers(0, 1000), min_size=2, max_size=10, unique=True))
@SETTINGS
def test_auc_of_a_constant_curve_is_the_constant(c, points):
    grid = np.array(sorted(points), dtype=float)
    assert area_under_curve(grid, np.full(grid.size, c)) == pytest.approx(c, rel=1e-12, abs=1e-9)


def test_auc_refuses_nan_and_short_grids():
    with pytest.raises(ValueError, match="^curves "):
        area_under_curve([0.0, 1.0], [[np.nan, 1.0]])
    with pytest.raises(ValueError, match="^grid "):
        area_under_curve([0.0], [[1.0]])
    with pytest.raises(ValueError, match="^curves "):
        area_under_curve([0.0, 1.0, 2.0], [[1.0, 2.0]])


# --------------------------------------------------------------------------- steps_to_threshold
@SETTINGS
@given(runs_and_grid(), st.floats(-100, 100))
def test_steps_to_threshold_is_the_first_grid_step_at_or_above(data, threshold):
    runs, grid = data
    curves = interpolate_curves(runs, grid)
    got = steps_to_threshold(grid, curves, threshold)
    for i, c in enumerate(curves):
        hits = [g for g, v in zip(grid, c) if not math.isnan(v) and v >= threshold]
        if hits:
            assert got[i] == hits[0]
        else:
            assert math.isnan(got[i])


def test_a_run_that_never_reaches_the_threshold_gives_nan():
    grid = np.array([0.0, 10.0, 20.0])
    got = steps_to_threshold(grid, [[100.0, 474.9, 300.0], [475.0, 0.0, 0.0]], 475)
    assert math.isnan(got[0]) and got[1] == 0.0


def test_steps_to_threshold_validates_threshold():
    with pytest.raises(ValueError, match="^threshold "):
        steps_to_threshold([0.0, 1.0], [[1.0, 2.0]], np.nan)
    with pytest.raises(ValueError, match="^threshold "):
        steps_to_threshold([0.0, 1.0], [[1.0, 2.0]], "475")


# --------------------------------------------------------------------------- bootstrap
@SETTINGS
@given(st.lists(value, min_size=2, max_size=15), st.integers(0, 2**32 - 1))
def test_bootstrap_interval_covers_the_sample_mean(xs, seed):
    mean, lo, hi = bootstrap_mean_ci(np.array(xs), n_boot=500, rng=np.random.default_rng(seed))
    tol = 1e-9 * (1 + max(abs(x) for x in xs))
    assert mean == pytest.approx(np.mean(xs), rel=1e-12, abs=1e-12)
    assert lo - tol <= mean <= hi + tol


def test_bootstrap_of_curves_gives_a_band_per_grid_point():
    rng = np.random.default_rng(0)
    curves = rng.normal(size=(10, 7))
    mean, lo, hi = bootstrap_mean_ci(curves, rng=np.random.default_rng(1))
    assert mean.shape == lo.shape == hi.shape == (7,)
    assert np.all(lo <= mean) and np.all(mean <= hi)


def test_bootstrap_is_deterministic_for_a_seed_and_does_not_modify_samples():
    x = np.arange(8.0)
    keep = x.copy()
    a = bootstrap_mean_ci(x, rng=np.random.default_rng(3))
    b = bootstrap_mean_ci(x, rng=np.random.default_rng(3))
    assert a == b
    np.testing.assert_array_equal(x, keep)


def test_bootstrap_interval_has_about_its_nominal_coverage_for_normal_data():
    """95 % intervals from 10 normal samples cover the true mean in roughly 90-95 % of trials.

    The percentile bootstrap under-covers with 10 samples (it ignores the t
    correction), so the bound is loose below; 300 trials give a standard error
    of about 1.5 percentage points.
    """
    rng = np.random.default_rng(2024)
    covered = 0
    for _ in range(300):
        _, lo, hi = bootstrap_mean_ci(rng.normal(size=10), n_boot=400, rng=rng)
        covered += lo <= 0.0 <= hi
    assert 0.84 <= covered / 300 <= 0.99


def test_bootstrap_diff_interval_matches_a_large_difference():
    rng = np.random.default_rng(5)
    a, b = rng.normal(10, 1, size=12), rng.normal(0, 1, size=12)
    d, lo, hi = bootstrap_diff_ci(a, b, rng=rng)
    assert d == pytest.approx(a.mean() - b.mean())
    assert 0 < lo <= d <= hi


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(samples=[]), "samples"),
        (dict(samples=3.0), "samples"),
        (dict(samples=[1.0, np.nan]), "samples"),
        (dict(samples=[1.0, 2.0], level=1.0), "level"),
        (dict(samples=[1.0, 2.0], level=0), "level"),
        (dict(samples=[1.0, 2.0], n_boot=0), "n_boot"),
        (dict(samples=[1.0, 2.0], n_boot=2.5), "n_boot"),
        (dict(samples=[1.0, 2.0], rng=42), "rng"),
    ],
)
def test_bootstrap_names_the_bad_argument(kwargs, name):
    kwargs.setdefault("rng", np.random.default_rng(0))
    with pytest.raises(ValueError, match=f"^{name} "):
        bootstrap_mean_ci(**kwargs)


# --------------------------------------------------------------------------- permutation test
def exact_permutation_p(a, b, alternative):
    """Enumerate every split of the pooled values: the exact permutation p-value."""
    pooled = np.concatenate([a, b])
    observed = np.mean(a) - np.mean(b)
    count = total = 0
    for idx in itertools.combinations(range(pooled.size), len(a)):
        mask = np.zeros(pooled.size, bool)
        mask[list(idx)] = True
        d = pooled[mask].mean() - pooled[~mask].mean()
        total += 1
        if alternative == "greater":
            count += d >= observed - 1e-9
        elif alternative == "less":
            count += d <= observed + 1e-9
        else:
            count += abs(d) >= abs(observed) - 1e-9
    return count / total


@pytest.mark.parametrize("alternative", ["greater", "less", "two-sided"])
def test_permutation_p_value_approaches_the_exact_enumeration(alternative):
    """With 20 000 permutations the Monte Carlo p-value is within 4 standard errors of the exact one."""
    rng = np.random.default_rng(11)
    a, b = rng.normal(0.5, 1, size=5), rng.normal(0, 1, size=6)
    exact = exact_permutation_p(a, b, alternative)
    p = permutation_test(a, b, n_perm=20_000, rng=rng, alternative=alternative)
    se = math.sqrt(exact * (1 - exact) / 20_000) + 1 / 20_000
    assert abs(p - exact) < 4 * se


def test_permutation_p_values_are_uniform_under_the_null():
    """400 null data sets (both groups from one distribution): p is close to uniform.

    Kolmogorov-Smirnov against U(0, 1) on a fixed seed, and P(p <= 0.05) within
    3 binomial standard errors of 0.05 (plus the 1/(M+1) granularity).
    """
    rng = np.random.default_rng(1234)
    ps = np.array([permutation_test(rng.exponential(size=10), rng.exponential(size=10), n_perm=400, rng=rng)
                   for _ in range(400)])
    assert sps.kstest(ps, "uniform").pvalue > 0.01
    frac = np.mean(ps <= 0.05)
    assert abs(frac - 0.05) < 3 * math.sqrt(0.05 * 0.95 / 400) + 1 / 401


def test_permutation_p_value_is_never_zero_and_detects_a_clear_difference():
    rng = np.random.default_rng(3)
    p = permutation_test(np.full(10, 500.0) + rng.normal(size=10), rng.normal(size=10), n_perm=999, rng=rng)
    assert p == pytest.approx(1 / 1000)
    assert permutation_test([1.0, 1.0], [1.0, 1.0], n_perm=50, rng=rng) == 1.0


def test_greater_and_less_are_mirror_images():
    a, b = np.array([3.0, 4.0, 5.0]), np.array([1.0, 2.0, 2.5])
    p1 = permutation_test(a, b, n_perm=2000, rng=np.random.default_rng(9))
    p2 = permutation_test(b, a, n_perm=2000, rng=np.random.default_rng(9), alternative="less")
    assert p1 == p2


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(a=[], b=[1.0]), "a"),
        (dict(a=[1.0], b=[[1.0]]), "b"),
        (dict(a=[1.0], b=[np.inf]), "b"),
        (dict(a=[1.0], b=[2.0], n_perm=0), "n_perm"),
        (dict(a=[1.0], b=[2.0], alternative="bigger"), "alternative"),
        (dict(a=[1.0], b=[2.0], rng=np.random.RandomState(0)), "rng"),
    ],
)
def test_permutation_test_names_the_bad_argument(kwargs, name):
    kwargs.setdefault("rng", np.random.default_rng(0))
    with pytest.raises(ValueError, match=f"^{name} "):
        permutation_test(**kwargs)
