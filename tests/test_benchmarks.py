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

from gaebook import gae

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
