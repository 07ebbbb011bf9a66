r"""Statistics of learning curves over seeds (chapter 13, :ref:`ch13`).

A training run yields its completed episodes as rows ``(global_step,
episode_return)``, an array ``[E, 2]`` whose length differs from seed to seed.
To average seeds, each run is first put on a common grid of environment steps
``[G]`` (:func:`interpolate_curves`), giving curves ``[S, G]`` for ``S`` seeds.
The other functions summarise those curves: the area under the curve, the
first step at which a threshold is reached, a percentile-bootstrap interval for
a mean over seeds and a permutation test between two groups of seeds.

Every function is pure (inputs are never modified) and validates its inputs,
raising a ``ValueError`` whose message starts with the argument's name.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

from ._validation import check_real_array

__all__ = [
    "trailing_mean",
    "interpolate_curves",
    "area_under_curve",
    "steps_to_threshold",
    "bootstrap_mean_ci",
    "bootstrap_diff_ci",
    "permutation_test",
]

_ALTERNATIVES = ("greater", "less", "two-sided")


# --------------------------------------------------------------------------- validation
def _check_run(name: str, run) -> np.ndarray:
    arr = check_real_array(name, run)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(f"{name} must have shape [E, 2] (rows of step, value), got shape {arr.shape}")
    if arr.shape[0] > 1 and np.any(np.diff(arr[:, 0]) < 0):
        raise ValueError(f"{name} must have non-decreasing steps in its first column")
    return arr


def _check_grid(grid, *, min_points: int = 1) -> np.ndarray:
    g = check_real_array("grid", grid)
    if g.ndim != 1:
        raise ValueError(f"grid must be one-dimensional [G], got shape {g.shape}")
    if g.size < min_points:
        raise ValueError(f"grid must hold at least {min_points} point(s), got {g.size}")
    if g.size > 1 and np.any(np.diff(g) <= 0):
        raise ValueError("grid must be strictly increasing")
    return g


def _check_curves(curves, n_grid: int, *, allow_nan: bool) -> tuple[np.ndarray, bool]:
    c = check_real_array("curves", curves, allow_nan=allow_nan)
    if c.ndim not in (1, 2):
        raise ValueError(f"curves must have shape [S, G] or [G], got shape {c.shape}")
    squeeze = c.ndim == 1
    c = c[None, :] if squeeze else c
    if c.shape[1] != n_grid:
        raise ValueError(f"curves must have one column per grid point ({n_grid}), got shape {c.shape}")
    if allow_nan and np.any(np.isinf(c)):
        raise ValueError("curves must not hold infinite values")
    return c, squeeze


def _check_rng(rng) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), got {type(rng).__name__}")
    return rng


def _check_count(name: str, value, minimum: int = 1) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _check_samples(name: str, x, *, min_len: int = 1) -> np.ndarray:
    arr = check_real_array(name, x)
    if arr.ndim == 0:
        raise ValueError(f"{name} must have at least one axis (the seeds), got a scalar")
    if arr.shape[0] < min_len:
        raise ValueError(f"{name} must hold at least {min_len} sample(s) along axis 0, got {arr.shape[0]}")
    return arr



def _check_two_samples(a, b):
    """``a`` and ``b`` as one-dimensional finite float arrays (``[S_a]``, ``[S_b]``)."""
    x = _check_samples("a", a)
    y = _check_samples("b", b)
    if x.ndim != 1:
        raise ValueError(f"a must be one-dimensional [S_a], got shape {x.shape}")
    if y.ndim != 1:
        raise ValueError(f"b must be one-dimensional [S_b], got shape {y.shape}")
    return x, y

def _check_level(level) -> float:
    if isinstance(level, (bool, np.bool_)) or not isinstance(level, (Real, np.floating)):
        raise ValueError(f"level must be a number in (0, 1), got {level!r}")
    level = float(level)
    if math.isnan(level) or not 0.0 < level < 1.0:
        raise ValueError(f"level must lie strictly between 0 and 1, got {level!r}")
    return level


# --------------------------------------------------------------------------- curves
def trailing_mean(run, window: int = 20) -> np.ndarray:
    r"""Replace each episode's return by the mean of the last ``window`` episodes.

    .. math::

        \bar G_e = \frac{1}{\min(e, w)} \sum_{j = \max(1, e - w + 1)}^{e} G_j ,

    the usual "mean return over the last 20 episodes" of CartPole's solved
    criterion; the first ``window - 1`` episodes average all episodes so far.

    Args:
        run: ``[E, 2]`` rows ``(step, episode_return)`` in completion order.
        window: number of episodes ``w >= 1``.

    Returns:
        A new ``[E, 2]`` float array with the same steps and the trailing means
        (chapter 13, :ref:`ch13`).
    """
    arr = _check_run("run", run)
    window = _check_count("window", window)
    out = np.array(arr, dtype=np.result_type(arr.dtype, np.float64), copy=True)
    if arr.shape[0] == 0:
        return out
    csum = np.concatenate([[0.0], np.cumsum(arr[:, 1], dtype=np.float64)])
    e = np.arange(1, arr.shape[0] + 1)
    start = np.maximum(e - window, 0)
    out[:, 1] = (csum[e] - csum[start]) / (e - start)
    return out


def interpolate_curves(runs, grid) -> np.ndarray:
    r"""Put runs of different lengths on a common grid of steps, step-wise.

    The curve of run ``i`` at grid point ``g`` is the value of the *last row
    whose step is at most* ``g`` (the last value carried forward):

    .. math::

        c_i(g) = v_{i, e^*}, \qquad e^* = \max\{e : s_{i, e} \le g\},

    and NaN where no row has a step ``<= g`` yet (before the run's first
    episode ended). Rows with equal steps (several environments finishing on
    the same step) keep their order, so the last of them counts. Step-wise
    rather than linear interpolation, because a learning curve is only known
    when an episode completes: between two episodes the latest return is all
    the agent has shown.

    Args:
        runs: a list of ``S`` arrays ``[E_i, 2]``, rows ``(step, value)`` with
            non-decreasing steps; ``E_i = 0`` gives a curve of NaN.
        grid: ``[G]`` strictly increasing steps.

    Returns:
        ``[S, G]`` float64 curves (chapter 13, :ref:`ch13`).
    """
    if isinstance(runs, np.ndarray) and runs.ndim == 2:
        raise ValueError("runs must be a list of [E, 2] arrays, got a single 2-D array; wrap it in a list")
    try:
        runs = list(runs)
    except TypeError:
        raise ValueError(f"runs must be a list of [E, 2] arrays, got {type(runs).__name__}") from None
    if not runs:
        raise ValueError("runs must hold at least one run")
    g = _check_grid(grid)
    out = np.full((len(runs), g.size), np.nan)
    for i, run in enumerate(runs):
        arr = _check_run(f"runs[{i}]", run)
        if arr.shape[0] == 0:
            continue
        last = np.searchsorted(arr[:, 0], g, side="right") - 1  # last row with step <= g
        seen = last >= 0
        out[i, seen] = arr[last[seen], 1]
    return out


def area_under_curve(grid, curves) -> np.ndarray:
    r"""Area under each curve, divided by the grid's span: a mean return.

    .. math::

        \mathrm{AUC}_i = \frac{1}{g_{G-1} - g_0} \sum_{k=0}^{G-2}
            (g_{k+1} - g_k)\,\frac{c_i(g_k) + c_i(g_{k+1})}{2},

    the trapezoid rule, so a constant curve ``c`` has AUC ``c`` whatever the
    grid. It rewards learning fast *and* staying good.

    Args:
        grid: ``[G]`` strictly increasing steps, ``G >= 2``.
        curves: ``[S, G]`` (or ``[G]``) finite values.

    Returns:
        ``[S]`` float (a 0-d float for ``[G]`` curves) (chapter 13, :ref:`ch13`).
    """
    g = _check_grid(grid, min_points=2)
    c, squeeze = _check_curves(curves, g.size, allow_nan=False)
    widths = np.diff(g)
    auc = (c[:, 1:] + c[:, :-1]) @ widths / (2.0 * (g[-1] - g[0]))
    return auc[0] if squeeze else auc


def steps_to_threshold(grid, curves, threshold) -> np.ndarray:
    r"""First grid step at which each curve reaches ``threshold``, NaN if never.

    .. math::

        \tau_i = \min\{g_k : c_i(g_k) \ge \text{threshold}\},

    with :math:`\tau_i` = NaN when the set is empty. NaN entries of ``curves``
    (before a run's first episode) count as not reached.

    Args:
        grid: ``[G]`` strictly increasing steps.
        curves: ``[S, G]`` (or ``[G]``) values, NaN allowed.
        threshold: a finite real number, e.g. 475 for CartPole-v1.

    Returns:
        ``[S]`` float (0-d for ``[G]`` curves) (chapter 13, :ref:`ch13`).
    """
    g = _check_grid(grid)
    c, squeeze = _check_curves(curves, g.size, allow_nan=True)
    if isinstance(threshold, (bool, np.bool_)) or not isinstance(threshold, (Real, np.floating, np.integer)):
        raise ValueError(f"threshold must be a real number, got {threshold!r}")
    if not math.isfinite(float(threshold)):
        raise ValueError(f"threshold must be finite, got {threshold!r}")
    with np.errstate(invalid="ignore"):
        hit = c >= float(threshold)  # NaN >= x is False
    first = np.argmax(hit, axis=1)
    out = np.where(hit.any(axis=1), g[first], np.nan).astype(np.float64)
    return out[0] if squeeze else out


# --------------------------------------------------------------------------- inference
def _bootstrap_means(x: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """``[n_boot, ...]`` means of resamples of ``x`` along axis 0 (drawn with replacement)."""
    n = x.shape[0]
    idx = rng.integers(0, n, size=(n_boot, n))
    counts = np.zeros((n_boot, n))
    np.add.at(counts, (np.arange(n_boot)[:, None], idx), 1.0)  # how often each seed is drawn
    flat = x.reshape(n, -1).astype(np.float64)
    return (counts @ flat / n).reshape((n_boot,) + x.shape[1:])


def bootstrap_mean_ci(samples, *, level=0.95, n_boot=2000, rng):
    r"""Mean over axis 0 with a percentile-bootstrap confidence interval.

    Draw ``n_boot`` resamples of the ``S`` rows with replacement, take each
    resample's mean, and report the :math:`(1-\text{level})/2` and
    :math:`(1+\text{level})/2` quantiles of those means (Efron's percentile
    interval). With few seeds the interval is too narrow rather than too
    wide: it cannot reflect variation the seeds did not show.

    Args:
        samples: ``[S, ...]`` finite values, ``S >= 1`` (for example ``[S]``
            areas under the curve, or ``[S, G]`` curves for a band).
        level: confidence level in (0, 1).
        n_boot: number of resamples ``>= 1``.
        rng: a ``numpy.random.Generator``; the only source of randomness.

    Returns:
        ``(mean, lo, hi)``, each of shape ``samples.shape[1:]`` (floats for
        ``[S]`` samples) (chapter 13, :ref:`ch13`).
    """
    x = _check_samples("samples", samples)
    level = _check_level(level)
    n_boot = _check_count("n_boot", n_boot)
    rng = _check_rng(rng)
    means = _bootstrap_means(x, n_boot, rng)
    lo, hi = np.quantile(means, [(1 - level) / 2, (1 + level) / 2], axis=0)
    mean = x.astype(np.float64).mean(axis=0)
    if x.ndim == 1:
        return float(mean), float(lo), float(hi)
    return mean, lo, hi


def bootstrap_diff_ci(a, b, *, level=0.95, n_boot=2000, rng):
    r"""Difference of two means, ``mean(a) - mean(b)``, with a percentile-bootstrap interval.

    The two groups are resampled independently (they come from different
    seeds), so the interval is that of
    :math:`\bar a^* - \bar b^*` over ``n_boot`` paired draws.

    Args:
        a: ``[S_a]`` finite values, ``S_a >= 1``.
        b: ``[S_b]`` finite values, ``S_b >= 1``.
        level, n_boot, rng: as in :func:`bootstrap_mean_ci`.

    Returns:
        ``(difference, lo, hi)`` floats (chapter 13, :ref:`ch13`).
    """
    x, y = _check_two_samples(a, b)
    level = _check_level(level)
    n_boot = _check_count("n_boot", n_boot)
    rng = _check_rng(rng)
    diffs = _bootstrap_means(x, n_boot, rng) - _bootstrap_means(y, n_boot, rng)
    lo, hi = np.quantile(diffs, [(1 - level) / 2, (1 + level) / 2])
    return float(x.mean() - y.mean()), float(lo), float(hi)


def permutation_test(a, b, *, n_perm=10000, rng, alternative="greater") -> float:
    r"""Two-sample permutation test on the difference of means.

    The statistic is :math:`D = \bar a - \bar b`. Under the null hypothesis
    that the labels "a" and "b" do not matter (the seeds' outcomes are
    exchangeable), every split of the pooled values into groups of sizes
    :math:`S_a, S_b` is equally likely. With :math:`D_1, \dots, D_M` the
    statistics of ``M = n_perm`` random splits,

    .. math::

        p = \frac{1 + \#\{m : D_m \ge D\}}{M + 1}

    for ``alternative="greater"`` (``D_m <= D`` for ``"less"``,
    ``|D_m| >= |D|`` for ``"two-sided"``). Counting the observed split among
    the permutations makes ``p`` exact-valid and never zero. Ties are
    compared with a relative tolerance of 1e-12, so that rounding in a sum
    does not decide them.

    Args:
        a: ``[S_a]`` finite values (for example the AUC of each seed at one λ).
        b: ``[S_b]`` finite values.
        n_perm: number of random permutations ``M >= 1``.
        rng: a ``numpy.random.Generator``.
        alternative: ``"greater"`` (a's mean is larger), ``"less"`` or ``"two-sided"``.

    Returns:
        The p-value, a float in ``(0, 1]`` (chapter 13, :ref:`ch13`).
    """
    x, y = _check_two_samples(a, b)
    n_perm = _check_count("n_perm", n_perm)
    rng = _check_rng(rng)
    if alternative not in _ALTERNATIVES:
        raise ValueError(f"alternative must be one of {_ALTERNATIVES}, got {alternative!r}")
    return _permutation_p(x.astype(np.float64), y.astype(np.float64), n_perm, rng, alternative)


def _permutation_p(a, b, n_perm, rng, alternative):
    """The permutation p-value of mean(a) - mean(b) on validated float arrays."""
    pooled = np.concatenate([a, b])
    observed = a.mean() - b.mean()
    relabelled = rng.permuted(np.broadcast_to(pooled, (n_perm, pooled.size)), axis=1)
    stats = relabelled[:, : a.size].mean(axis=1) - relabelled[:, a.size :].mean(axis=1)
    tol = 1e-12 * max(1.0, float(np.max(np.abs(pooled))))  # ties decided up to rounding
    if alternative == "greater":
        extreme = stats >= observed - tol
    elif alternative == "less":
        extreme = stats <= observed + tol
    else:
        extreme = np.abs(stats) >= abs(observed) - tol
    return float((1 + np.count_nonzero(extreme)) / (n_perm + 1))  # counts the observed split
