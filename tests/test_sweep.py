"""The sweep runner: seeds from one SeedSequence, results in configuration order, reproducibly."""

from __future__ import annotations

import time

import numpy as np
import pytest

from gaebook.sweep import default_workers, run_sweep, sweep_seeds


def noisy_score(*, lam, seed, delay=0.0):
    """A stand-in for a training run: a seeded draw that depends on lam (top level, so picklable)."""
    time.sleep(delay)
    return lam, seed, float(np.random.default_rng(seed).normal(lam))


def test_sweep_seeds_are_the_children_of_the_sequence_and_do_not_consume_it():
    ss = np.random.SeedSequence(2026)
    seeds = sweep_seeds(ss, 5)
    assert seeds == sweep_seeds(ss, 5)  # calling twice changes nothing
    children = np.random.SeedSequence(2026).spawn(5)
    assert seeds == [int(c.generate_state(1, dtype=np.uint32)[0]) for c in children]
    assert len(set(seeds)) == 5


def test_sweep_seeds_of_sibling_sequences_differ():
    a, b = np.random.SeedSequence(1).spawn(2)
    assert set(sweep_seeds(a, 10)).isdisjoint(sweep_seeds(b, 10))


def test_results_come_back_in_config_order_with_the_derived_seeds():
    ss = np.random.SeedSequence(7)
    # the first runs are the slowest, so workers finish out of order
    configs = [dict(lam=lam, delay=0.05 * (4 - i)) for i, lam in enumerate([0.0, 0.5, 0.9, 1.0])]
    results = run_sweep(noisy_score, configs, seed_sequence=ss, max_workers=2)
    assert [r[0] for r in results] == [0.0, 0.5, 0.9, 1.0]
    assert [r[1] for r in results] == sweep_seeds(ss, 4)


def test_the_outcome_does_not_depend_on_the_number_of_workers():
    ss = np.random.SeedSequence(99)
    configs = [dict(lam=lam) for lam in (0.0, 0.8, 0.95, 1.0) for _ in range(3)]
    serial = run_sweep(noisy_score, configs, seed_sequence=ss, max_workers=1)
    parallel = run_sweep(noisy_score, configs, seed_sequence=ss, max_workers=2)
    assert serial == parallel


def test_default_workers_is_one_per_core_capped_at_two():
    assert 1 <= default_workers() <= 2
    assert default_workers(cap=1) == 1


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(configs=dict(lam=0.5)), "configs"),
        (dict(configs=[dict(lam=0.5, seed=3)]), r"configs\[0\]"),
        (dict(configs=[0.5]), r"configs\[0\]"),
        (dict(configs=[dict(lam=0.5)], max_workers=0), "max_workers"),
        (dict(configs=[dict(lam=0.5)], seed_sequence=3), "seed_sequence"),
    ],
)
def test_run_sweep_names_the_bad_argument(kwargs, name):
    kwargs.setdefault("seed_sequence", np.random.SeedSequence(0))
    with pytest.raises(ValueError, match=f"^{name} "):
        run_sweep(noisy_score, **kwargs)


def blas_setting(*, seed):
    import os

    return os.environ.get("OPENBLAS_NUM_THREADS")


def test_workers_run_with_one_blas_thread_and_the_parent_environment_is_restored():
    import os

    before = os.environ.get("OPENBLAS_NUM_THREADS")
    out = run_sweep(blas_setting, [{}, {}], seed_sequence=np.random.SeedSequence(0), max_workers=2)
    assert out == ["1", "1"]
    assert os.environ.get("OPENBLAS_NUM_THREADS") == before
    with pytest.raises(ValueError, match="^blas_threads "):
        run_sweep(blas_setting, [{}, {}], seed_sequence=np.random.SeedSequence(0), blas_threads=0)


def test_a_ppo_sweep_gives_the_same_episodes_serially_and_in_parallel():
    pytest.importorskip("gymnasium")
    from gaebook.ppo import train

    configs = [dict(env_id="CartPole-v1", lam=lam, total_steps=512) for lam in (0.0, 0.95)]
    ss = np.random.SeedSequence(13)
    serial = run_sweep(train, configs, seed_sequence=ss, max_workers=1)
    parallel = run_sweep(train, configs, seed_sequence=ss, max_workers=2)
    for a, b in zip(serial, parallel):
        np.testing.assert_array_equal(a.episode_returns, b.episode_returns)
    assert [r.config["lam"] for r in parallel] == [0.0, 0.95]
