"""Speed of gae on a PPO-sized rollout: T = 2048 steps, N = 64 environments.

``gaebook.gae`` runs one backward loop over time, vectorised over the
environments. The reference here is the per-step pure-Python double loop
(environments outer, time inner) that many tutorials show. Both must agree;
no timing is asserted.

Run with ``pytest tests/test_benchmarks.py --benchmark-enable`` to measure;
with ``--benchmark-disable`` each benchmarked function runs once, as a test.
"""

from __future__ import annotations

import numpy as np
import pytest

import gaebook
from gaebook import gae
from gaebook.gae import gae_reference

T, N = 2048, 64
GAMMA, LAM = 0.99, 0.95


def gae_python_loop(rewards, values, next_values, terminated, truncated, *, gamma, lam):
    """One step at a time in plain Python: for each environment, walk back over time."""
    r, v, nv = rewards.tolist(), values.tolist(), next_values.tolist()
    term, trunc = terminated.tolist(), truncated.tolist()
    n_steps, n_envs = len(r), len(r[0])
    adv = [[0.0] * n_envs for _ in range(n_steps)]
    for i in range(n_envs):
        running = 0.0
        for t in range(n_steps - 1, -1, -1):
            bootstrap = 0.0 if term[t][i] else nv[t][i]
            delta = r[t][i] + gamma * bootstrap - v[t][i]
            if term[t][i] or trunc[t][i]:
                running = 0.0  # nothing is carried across an episode boundary
            running = delta + gamma * lam * running
            adv[t][i] = running
    return np.array(adv)


@pytest.fixture(scope="module")
def rollout():
    rng = np.random.default_rng(2048)
    values = rng.normal(size=(T, N))
    next_values = np.empty_like(values)
    next_values[:-1] = values[1:]
    terminated = rng.random((T, N)) < 1 / 200
    truncated = rng.random((T, N)) < 1 / 500
    ends = terminated | truncated
    next_values[ends] = rng.normal(size=ends.sum())  # final observations differ from the next episode's start
    next_values[-1] = rng.normal(size=N)
    next_values[terminated] = np.nan  # ignored where terminated
    return dict(
        rewards=rng.normal(size=(T, N)),
        values=values,
        next_values=next_values,
        terminated=terminated,
        truncated=truncated,
    )


@pytest.fixture(scope="module")
def reference(rollout):
    return gae_python_loop(**rollout, gamma=GAMMA, lam=LAM)


@pytest.mark.benchmark(group="gae T=2048 N=64")
def test_bench_gae_vectorised_over_environments(benchmark, rollout, reference):
    adv, ret = benchmark(gae, **rollout, gamma=GAMMA, lam=LAM)
    # same float64 operations in a different order: agreement to 1e-10 (advantages are O(10))
    np.testing.assert_allclose(adv, reference, rtol=0, atol=1e-10)
    np.testing.assert_allclose(ret, reference + rollout["values"], rtol=0, atol=1e-10)


@pytest.mark.benchmark(group="gae T=2048 N=64")
def test_bench_gae_python_double_loop(benchmark, rollout):
    adv = benchmark.pedantic(gae_python_loop, kwargs=dict(**rollout, gamma=GAMMA, lam=LAM), rounds=5, iterations=1)
    expected, _ = gae(**rollout, gamma=GAMMA, lam=LAM)
    np.testing.assert_allclose(adv, expected, rtol=0, atol=1e-10)


import time  # noqa: E402

# ---------------------------------------------------------------------------
# Chapter 15: gae against the per-step loop and against lfilter without boundaries,
# at two shapes and two dtypes. The last test prints the ratios of medians measured in
# this run (so a loaded machine slows every side alike); nothing is asserted about time.
# ---------------------------------------------------------------------------

MEDIANS: dict[tuple, float] = {}
SHAPES_15 = [(2048, 64), (2048, 1)]
DTYPES_15 = [np.float64, np.float32]


def _rollout_15(T, N, dtype):
    rng = np.random.default_rng(T * 1000 + N)
    values = rng.normal(size=(T, N))
    next_values = np.empty_like(values)
    next_values[:-1] = values[1:]
    terminated = rng.random((T, N)) < 1 / 200
    truncated = rng.random((T, N)) < 1 / 500
    next_values[-1] = rng.normal(size=N)
    ro = dict(rewards=rng.normal(size=(T, N)), values=values, next_values=next_values,
              terminated=terminated, truncated=truncated)
    return {k: (v.astype(dtype) if v.dtype.kind == "f" else v) for k, v in ro.items()}


def _lfilter_without_boundaries(x, c):
    """The floor a boundary-aware kernel is compared with: one C recursion, no episode ends."""
    from scipy.signal import lfilter

    return lfilter(np.ones(1, x.dtype), np.array([1.0, -c], x.dtype), x[::-1], axis=0)[::-1]


def _record(benchmark, key):
    stats = getattr(benchmark, "stats", None)
    if stats is not None and getattr(stats, "stats", None) is not None:
        MEDIANS[key] = stats.stats.median


@pytest.mark.benchmark(timer=time.thread_time)  # CPU time: preemption by other jobs is not counted
@pytest.mark.parametrize("T,N", SHAPES_15, ids=lambda v: str(v))
@pytest.mark.parametrize("dtype", DTYPES_15, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("method", ["gaebook.gae", "gaebook.gae, numba", "python loop", "lfilter, no boundaries"])
def test_bench_ch15_gae_methods(benchmark, T, N, dtype, method):
    benchmark.group = f"ch15 T={T} N={N} {np.dtype(dtype).name}"
    ro = _rollout_15(T, N, dtype)
    if method == "gaebook.gae":
        adv, _ = benchmark(gae, **ro, gamma=GAMMA, lam=LAM)
        assert adv.dtype == dtype
    elif method == "gaebook.gae, numba":
        pytest.importorskip("numba")
        previous = gaebook.set_backend("numba")
        try:
            gae(**ro, gamma=GAMMA, lam=LAM)  # compile outside the timing
            adv, _ = benchmark(gae, **ro, gamma=GAMMA, lam=LAM)
        finally:
            gaebook.set_backend(previous)
        np.testing.assert_array_equal(adv, gae_reference(**ro, gamma=GAMMA, lam=LAM)[0])
    elif method == "python loop":
        adv = benchmark.pedantic(gae_python_loop, kwargs=dict(**ro, gamma=GAMMA, lam=LAM), rounds=3, iterations=1)
        expected, _ = gae(**ro, gamma=GAMMA, lam=LAM)
        tol = 1e-10 if dtype == np.float64 else 1e-3  # float32 accumulation, advantages O(10)
        np.testing.assert_allclose(adv, expected, rtol=0, atol=tol)
    else:
        benchmark(_lfilter_without_boundaries, ro["rewards"], GAMMA * LAM)
    _record(benchmark, (T, N, np.dtype(dtype).name, method))


def test_bench_ch15_ratios_of_medians(capsys):
    """Speed-ups of gaebook.gae over the per-step loop, and its time over lfilter's, from this run."""
    lines = []
    for T, N in SHAPES_15:
        for dtype in DTYPES_15:
            key = (T, N, np.dtype(dtype).name)
            m = {method: MEDIANS.get(key + (method,)) for method in ("gaebook.gae", "python loop",
                                                                        "lfilter, no boundaries")}
            if None in m.values():
                continue  # run with --benchmark-disable: nothing was timed
            fast = MEDIANS.get(key + ("gaebook.gae, numba",))
            compiled = "" if fast is None else (
                f"; numba backend: loop / gae = {m['python loop'] / fast:.1f}, "
                f"gae / lfilter = {fast / m['lfilter, no boundaries']:.2f}")
            lines.append(f"T={T} N={N} {key[2]}: loop / gae = {m['python loop'] / m['gaebook.gae']:.1f}, "
                         f"gae / lfilter = {m['gaebook.gae'] / m['lfilter, no boundaries']:.2f}" + compiled)
    with capsys.disabled():
        print("\nchapter 15 ratios of medians (this run):\n  " + "\n  ".join(lines or ["(not timed)"]))


@pytest.mark.benchmark(group="ppo update")
def test_bench_one_ppo_update_cartpole_8x128_4_epochs(benchmark):
    """One PPO update (chapter 12): a rollout of 8 x 128 CartPole steps, then 4 epochs of 4 minibatches.

    Measured as a one-update ``train`` call, so it includes making and
    resetting the 8 environments (a few milliseconds).
    """
    from gaebook.ppo import train

    kwargs = dict(seed=0, lam=0.95, gamma=0.99, total_steps=8 * 128, num_envs=8, num_steps=128,
                  epochs=4, num_minibatches=4)
    result = benchmark.pedantic(train, args=("CartPole-v1",), kwargs=kwargs, rounds=5, iterations=1)
    assert result.diagnostics["global_step"].tolist() == [1024.0]
    assert result.diagnostics["ratio_deviation_first_minibatch"][0] == 0.0
