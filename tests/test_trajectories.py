"""Tests for gaebook.trajectories: enumeration, sampling, reward-to-go, Monte Carlo summaries."""

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gaebook.trajectories import (
    enumerate_trajectories,
    monte_carlo_summary,
    reward_to_go,
    sample_trajectories,
)


def random_mdp(rng, S=2, A=2):
    mu = rng.dirichlet(np.ones(S))
    P = rng.dirichlet(np.ones(S), size=(S, A))
    pi = rng.dirichlet(np.ones(A), size=S)
    return mu, P, pi


@pytest.mark.parametrize("S,A,T", [(2, 2, 1), (2, 2, 3), (3, 2, 2), (2, 3, 2)])
def test_enumerated_probabilities_sum_to_one(S, A, T):
    mu, P, pi = random_mdp(np.random.default_rng(0), S, A)
    trajs = enumerate_trajectories(mu, P, pi, T)
    assert len(trajs) == (S * A) ** T
    assert np.isclose(sum(tr.probability for tr in trajs), 1.0)
    assert all(len(tr.states) == T and len(tr.actions) == T for tr in trajs)


def test_symbolic_probabilities_sum_to_one_exactly():
    p, q = sp.symbols("p q", positive=True)
    mu = [sp.Rational(1, 3), sp.Rational(2, 3)]
    P = [[[p, 1 - p], [q, 1 - q]], [[1 - q, q], [1 - p, p]]]
    pi = [[sp.Rational(1, 4), sp.Rational(3, 4)], [p, 1 - p]]
    total = sum(tr.probability for tr in enumerate_trajectories(mu, P, pi, 3))
    assert sp.expand(total - 1) == 0


def test_zero_probability_branches_are_left_out():
    trajs = enumerate_trajectories([1.0, 0.0], np.full((2, 2, 2), 0.5), [[1.0, 0.0], [0.5, 0.5]], 2)
    assert all(tr.states[0] == 0 and tr.actions[0] == 0 for tr in trajs)
    assert np.isclose(sum(tr.probability for tr in trajs), 1.0)


def test_sampled_frequencies_match_enumerated_probabilities():
    rng = np.random.default_rng(1)
    mu, P, pi = random_mdp(rng)
    n = 40_000
    states, actions = sample_trajectories(rng, mu, P, pi, 2, n)
    assert states.shape == actions.shape == (2, n)
    for tr in enumerate_trajectories(mu, P, pi, 2):
        hit = np.all(states == np.array(tr.states)[:, None], axis=0) & np.all(actions == np.array(tr.actions)[:, None], axis=0)
        se = np.sqrt(tr.probability * (1 - tr.probability) / n)
        assert abs(hit.mean() - tr.probability) < 5 * se + 1e-12


def test_sampling_is_reproducible_with_the_same_seed():
    mu, P, pi = random_mdp(np.random.default_rng(2))
    a = sample_trajectories(np.random.default_rng(7), mu, P, pi, 3, 50)
    b = sample_trajectories(np.random.default_rng(7), mu, P, pi, 3, 50)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.float64, st.tuples(st.integers(1, 8), st.integers(1, 3)), elements=st.floats(-10, 10)),
    st.floats(0, 1),
)
def test_reward_to_go_matches_the_definition(r, gamma):
    T = r.shape[0]
    direct = np.array([sum(gamma ** (k - t) * r[k] for k in range(t, T)) for t in range(T)])
    assert np.allclose(reward_to_go(r, gamma=gamma), direct, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.integers(1, 8), elements=st.floats(-10, 10)), st.floats(0, 1))
def test_reward_to_go_recursion_and_first_entry_is_the_return(r, gamma):
    g = reward_to_go(r, gamma=gamma)
    assert np.allclose(g[:-1], r[:-1] + gamma * g[1:])
    assert np.isclose(g[-1], r[-1])
    assert np.isclose(g[0], np.sum(gamma ** np.arange(r.size) * r))


def test_reward_to_go_keeps_dtype_and_does_not_modify_input():
    r = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    r0 = r.copy()
    g = reward_to_go(r, gamma=0.5)
    assert g.dtype == np.float32 and np.array_equal(r, r0)
    assert np.allclose(g, [2.75, 3.5, 3.0])


@pytest.mark.parametrize("bad", [np.array([np.nan]), np.zeros((2, 2, 2)), np.array([], dtype=float), np.array([True])])
def test_bad_rewards_raise_naming_rewards(bad):
    with pytest.raises(ValueError, match="^rewards"):
        reward_to_go(bad)


@pytest.mark.parametrize("bad", [-0.1, 1.5, np.nan, "0.9", True])
def test_bad_gamma_raises_naming_gamma(bad):
    with pytest.raises(ValueError, match="^gamma"):
        reward_to_go(np.ones(3), gamma=bad)


def test_bad_tables_raise_naming_the_table():
    mu, P, pi = random_mdp(np.random.default_rng(3))
    with pytest.raises(ValueError, match="^initial"):
        enumerate_trajectories(mu[:1], P, pi, 2)
    with pytest.raises(ValueError, match="^transitions"):
        enumerate_trajectories(mu, P[:, :, :1], pi, 2)
    with pytest.raises(ValueError, match="^policy"):
        enumerate_trajectories(mu, P, pi[0], 2)
    with pytest.raises(ValueError, match="^horizon"):
        enumerate_trajectories(mu, P, pi, 0)
    with pytest.raises(ValueError, match="^policy"):
        sample_trajectories(np.random.default_rng(0), mu, P, pi * 2, 2, 5)
    with pytest.raises(ValueError, match="^rng"):
        sample_trajectories(0, mu, P, pi, 2, 5)
    with pytest.raises(ValueError, match="^n"):
        sample_trajectories(np.random.default_rng(0), mu, P, pi, 2, 0)


def test_monte_carlo_summary_of_known_samples():
    x = np.array([[1.0, 0.0], [3.0, 0.0], [5.0, 3.0]])
    s = monte_carlo_summary(x)
    assert np.allclose(s.mean, [3.0, 1.0]) and np.allclose(s.var, [4.0, 3.0])
    assert np.allclose(s.stderr, np.sqrt([4 / 3, 1.0])) and s.n == 3


@pytest.mark.parametrize("bad", [np.array([1.0]), np.array([1.0, np.inf]), np.array(["a", "b"]), np.array([True, False])])
def test_bad_samples_raise_naming_samples(bad):
    with pytest.raises(ValueError, match="^samples"):
        monte_carlo_summary(bad)


from gaebook.trajectories import optimal_constant_baseline  # noqa: E402


@settings(max_examples=40, deadline=None)
@given(st.integers(5, 40), st.integers(1, 3), st.integers(0, 2**32 - 1))
def test_optimal_baseline_minimises_the_sample_variance(n, d, seed):
    rng = np.random.default_rng(seed)
    g = rng.normal(size=(n, d))
    R = rng.normal(size=n) + 3
    b = optimal_constant_baseline(g, R)
    assert b.shape == (d,)
    second_moment = lambda bb: np.mean((g * (R[:, None] - bb)) ** 2, axis=0)  # noqa: E731
    for shift in (-0.1, 0.1):
        assert np.all(second_moment(b) <= second_moment(b + shift) + 1e-12)


def test_optimal_baseline_of_one_parameter_is_a_scalar_array():
    b = optimal_constant_baseline(np.array([1.0, -2.0]), np.array([3.0, 0.0]))
    assert np.ndim(b) == 0 and np.isclose(b, 3.0 / 5.0)


def test_optimal_baseline_bad_inputs_raise_naming_the_argument():
    with pytest.raises(ValueError, match="^scores"):
        optimal_constant_baseline(np.zeros((3, 1)), np.ones(3))
    with pytest.raises(ValueError, match="^scores"):
        optimal_constant_baseline(np.array([[np.nan]]), np.ones(1))
    with pytest.raises(ValueError, match="^returns"):
        optimal_constant_baseline(np.ones((3, 2)), np.ones(2))
    with pytest.raises(ValueError, match="^returns"):
        optimal_constant_baseline(np.ones(2), np.array(["a", "b"]))
