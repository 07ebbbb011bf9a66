"""Tests for gaebook.finite_mdp (chapter 10)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gaebook.finite_mdp import FiniteMDP
from gaebook.gae import gae
from gaebook.softmax import softmax


def random_mdp(seed, n_states=5, n_actions=3, gamma=0.9, alpha=0.5):
    rng = np.random.default_rng(seed)
    P = rng.dirichlet(np.full(n_states, alpha), size=(n_states, n_actions))
    R = rng.normal(size=(n_states, n_actions))
    pi = softmax(rng.normal(size=(n_states, n_actions)))
    return FiniteMDP(P, R, gamma=gamma), pi, rng


seeds = st.integers(0, 10_000)
lams = st.floats(0.0, 1.0)
gammas = st.floats(0.0, 0.99)


@settings(max_examples=30, deadline=None)
@given(seed=seeds, gamma=gammas)
def test_state_values_satisfy_bellman_equation(seed, gamma):
    mdp, pi, _ = random_mdp(seed, gamma=gamma)
    V = mdp.state_values(pi)
    rhs = mdp.policy_rewards(pi) + gamma * mdp.state_transitions(pi) @ V
    np.testing.assert_allclose(V, rhs, atol=1e-10)


@settings(max_examples=30, deadline=None)
@given(seed=seeds, gamma=gammas)
def test_action_values_satisfy_bellman_equation_and_average_to_state_values(seed, gamma):
    mdp, pi, _ = random_mdp(seed, gamma=gamma)
    V, Q = mdp.state_values(pi), mdp.action_values(pi)
    np.testing.assert_allclose(Q, mdp.rewards + gamma * mdp.transitions @ V, atol=1e-10)
    np.testing.assert_allclose((pi * Q).sum(axis=1), V, atol=1e-10)


@settings(max_examples=30, deadline=None)
@given(seed=seeds)
def test_advantages_have_zero_mean_under_the_policy_in_every_state(seed):
    mdp, pi, _ = random_mdp(seed)
    np.testing.assert_allclose((pi * mdp.advantages(pi)).sum(axis=1), 0.0, atol=1e-10)


@settings(max_examples=40, deadline=None)
@given(seed=seeds, lam=lams, gamma=gammas)
def test_gae_expectation_is_the_advantage_when_the_critic_is_exact_for_every_lambda(seed, lam, gamma):
    mdp, pi, _ = random_mdp(seed, gamma=gamma)
    expected = mdp.gae_expectation(pi, mdp.state_values(pi), lam)
    np.testing.assert_allclose(expected, mdp.advantages(pi), atol=1e-9)


@settings(max_examples=30, deadline=None)
@given(seed=seeds)
def test_gae_expectation_endpoints_are_td_error_and_q_minus_critic(seed):
    mdp, pi, rng = random_mdp(seed)
    critic = rng.normal(size=mdp.n_states)
    np.testing.assert_allclose(mdp.gae_expectation(pi, critic, 0.0), mdp.expected_td_errors(pi, critic), atol=1e-12)
    np.testing.assert_allclose(
        mdp.gae_expectation(pi, critic, 1.0), mdp.action_values(pi) - critic[:, None], atol=1e-9
    )


def test_gae_expectation_matches_enumeration_of_all_short_paths():
    """The truncated series sum_{l<L} (γλ)^l E[δ_{t+l}|s,a], computed by listing every path."""
    mdp, pi, rng = random_mdp(3, n_states=3, n_actions=2, gamma=0.8)
    critic = rng.normal(size=3)
    lam, L = 0.7, 4
    x = mdp.gamma * lam
    P, R = mdp.transitions, mdp.rewards
    brute = np.zeros((3, 2))

    def walk(s, a, prob, depth, acc, out):
        for s2 in range(3):
            p2 = prob * P[s, a, s2]
            acc2 = acc + x**depth * (R[s, a] + mdp.gamma * critic[s2] - critic[s])
            if depth == L - 1:
                out.append(p2 * acc2)
            else:
                for a2 in range(2):
                    walk(s2, a2, p2 * pi[s2, a2], depth + 1, acc2, out)

    for s in range(3):
        for a in range(2):
            terms = []
            walk(s, a, 1.0, 0, 0.0, terms)
            brute[s, a] = sum(terms)
    # the same partial sum from matrix powers
    P_pi = mdp.state_transitions(pi)
    delta = mdp.expected_td_errors(pi, critic)
    dbar = (pi * delta).sum(axis=1)
    series = delta + sum(x**l * P @ np.linalg.matrix_power(P_pi, l - 1) @ dbar for l in range(1, L))
    np.testing.assert_allclose(brute, series, atol=1e-12)


def test_exact_gae_mean_and_variance_agree_with_sampled_library_gae():
    mdp, pi, rng = random_mdp(7, n_states=4, n_actions=2, gamma=0.8)
    critic = mdp.state_values(pi) + rng.normal(size=4)
    lam = 0.9
    rho = mdp.stationary_distribution(pi)
    ro = mdp.sample(pi, critic, n_steps=80, n_envs=20_000, rng=np.random.default_rng(0), start=rho)
    adv, _ = gae(*ro.gae_arrays(), gamma=mdp.gamma, lam=lam)
    s0, a0 = ro.states[0], ro.actions[0]
    err = adv[0] - mdp.gae_expectation(pi, critic, lam)[s0, a0]
    assert abs(err.mean()) < 4 * err.std() / np.sqrt(err.size)
    sq = err**2
    exact_var = (rho[:, None] * pi * mdp.gae_variance(pi, critic, lam)).sum()
    assert abs(sq.mean() - exact_var) < 4 * sq.std() / np.sqrt(sq.size)
    for s in range(4):  # per state-action pair as well
        for a in range(2):
            e = err[(s0 == s) & (a0 == a)]
            if e.size > 100:
                assert abs(e.mean()) < 4.5 * e.std() / np.sqrt(e.size)


def test_gae_variance_is_zero_for_a_deterministic_mdp():
    P = np.zeros((3, 1, 3))
    P[0, 0, 1] = P[1, 0, 2] = P[2, 0, 0] = 1.0
    mdp = FiniteMDP(P, np.array([[1.0], [0.0], [2.0]]), gamma=0.9)
    pi = np.ones((3, 1))
    np.testing.assert_allclose(mdp.gae_variance(pi, np.array([0.3, -1.0, 2.0]), 0.8), 0.0, atol=1e-12)


@settings(max_examples=20, deadline=None)
@given(seed=seeds)
def test_stationary_distribution_is_invariant_and_discounted_visits_sum_to_horizon(seed):
    mdp, pi, _ = random_mdp(seed)
    rho = mdp.stationary_distribution(pi)
    np.testing.assert_allclose(rho @ mdp.state_transitions(pi), rho, atol=1e-10)
    assert np.isclose(mdp.discounted_visits(pi).sum(), 1 / (1 - mdp.gamma))
    assert np.isclose(mdp.objective(pi), mdp.discounted_visits(pi) @ mdp.policy_rewards(pi))


def test_sample_follows_the_transition_convention_and_is_reproducible():
    mdp, pi, rng = random_mdp(1)
    critic = rng.normal(size=mdp.n_states)
    a = mdp.sample(pi, critic, n_steps=6, n_envs=3, rng=np.random.default_rng(5))
    b = mdp.sample(pi, critic, n_steps=6, n_envs=3, rng=np.random.default_rng(5))
    assert a.rewards.shape == (6, 3) and a.states.shape == (6, 3)
    np.testing.assert_array_equal(a.states, b.states)
    np.testing.assert_array_equal(a.next_values[:-1], a.values[1:])
    np.testing.assert_array_equal(a.states[1:], a.next_states[:-1])
    assert not a.terminated.any()
    assert a.truncated[-1].all() and not a.truncated[:-1].any()
    np.testing.assert_array_equal(a.rewards, mdp.rewards[a.states, a.actions])


def test_sampled_discounted_returns_estimate_action_values():
    mdp, pi, _ = random_mdp(11, n_states=4, n_actions=2, gamma=0.7)
    ro = mdp.sample(pi, np.zeros(4), n_steps=60, n_envs=20_000, rng=np.random.default_rng(1))
    adv, _ = gae(*ro.gae_arrays(), gamma=0.7, lam=1.0)  # zero critic, λ = 1: the return
    err = adv[0] - mdp.action_values(pi)[ro.states[0], ro.actions[0]]
    assert abs(err.mean()) < 4 * err.std() / np.sqrt(err.size)


# --------------------------------------------------------------- bad inputs
def good():
    P = np.full((2, 2, 2), 0.5)
    return P, np.zeros((2, 2))


@settings(max_examples=40, deadline=None)
@given(i=st.integers(0, 7), bump=st.floats(1e-3, 10.0))
def test_transitions_that_are_not_distributions_are_rejected(i, bump):
    P, R = good()
    flat = P.reshape(-1)
    flat[i] = flat[i] + bump  # this row no longer sums to 1
    with pytest.raises(ValueError, match="^transitions"):
        FiniteMDP(flat.reshape(2, 2, 2), R, gamma=0.9)


@settings(max_examples=20, deadline=None)
@given(i=st.integers(0, 3), x=st.floats(0.01, 5.0))
def test_negative_transition_probabilities_are_rejected(i, x):
    P, R = good()
    s, a = divmod(i, 2)
    P[s, a] = [-x, 1 + x]  # sums to 1 but has a negative entry
    with pytest.raises(ValueError, match="^transitions"):
        FiniteMDP(P, R, gamma=0.9)


@pytest.mark.parametrize(
    "transitions",
    [np.full((2, 2), 0.5), np.full((2, 2, 3), 1 / 3), np.array([[[np.nan, 1.0]] * 2] * 2), np.ones((2, 2, 2), bool)],
)
def test_malformed_transitions_are_rejected(transitions):
    with pytest.raises(ValueError, match="^transitions"):
        FiniteMDP(transitions, np.zeros((2, 2)), gamma=0.9)


@pytest.mark.parametrize("rewards", [np.zeros((2, 3)), np.zeros(2), np.array([[0.0, np.inf], [0, 0]])])
def test_rewards_of_the_wrong_shape_or_not_finite_are_rejected(rewards):
    with pytest.raises(ValueError, match="^rewards"):
        FiniteMDP(good()[0], rewards, gamma=0.9)


@settings(max_examples=30, deadline=None)
@given(gamma=st.one_of(st.floats(1.0, 1e6), st.floats(-1e6, -1e-9), st.just(float("nan")), st.just(True)))
def test_gamma_outside_zero_one_is_rejected(gamma):
    with pytest.raises(ValueError, match="^gamma"):
        FiniteMDP(*good(), gamma=gamma)


def test_bad_initial_distribution_is_rejected():
    with pytest.raises(ValueError, match="^initial"):
        FiniteMDP(*good(), gamma=0.5, initial=[0.7, 0.7])
    with pytest.raises(ValueError, match="^initial"):
        FiniteMDP(*good(), gamma=0.5, initial=[1.0, 0.0, 0.0])


@settings(max_examples=30, deadline=None)
@given(row=st.lists(st.floats(-2, 2), min_size=2, max_size=2))
def test_policies_that_are_not_distributions_are_rejected(row):
    mdp = FiniteMDP(*good(), gamma=0.5)
    pi = np.array([[0.5, 0.5], row])
    if min(row) >= 0 and abs(sum(row) - 1) <= 1e-8:
        return  # a valid row
    with pytest.raises(ValueError, match="^policy"):
        mdp.state_values(pi)


def test_bad_critic_lam_and_sample_sizes_are_rejected():
    mdp = FiniteMDP(*good(), gamma=0.5)
    pi = np.full((2, 2), 0.5)
    with pytest.raises(ValueError, match="^critic"):
        mdp.gae_expectation(pi, np.zeros(3), 0.5)
    with pytest.raises(ValueError, match="^lam"):
        mdp.gae_expectation(pi, np.zeros(2), 1.5)
    with pytest.raises(ValueError, match="^lam"):
        mdp.gae_variance(pi, np.zeros(2), -0.1)
    with pytest.raises(ValueError, match="^n_steps"):
        mdp.sample(pi, np.zeros(2), n_steps=0, n_envs=1, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="^n_envs"):
        mdp.sample(pi, np.zeros(2), n_steps=3, n_envs=2.5, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="^rng"):
        mdp.sample(pi, np.zeros(2), n_steps=3, n_envs=2, rng=0)


def test_inputs_are_not_modified():
    P, R = good()
    P0, R0 = P.copy(), R.copy()
    mdp = FiniteMDP(P, R, gamma=0.5)
    pi = np.full((2, 2), 0.5)
    v = np.array([1.0, 2.0])
    mdp.gae_variance(pi, v, 0.5)
    np.testing.assert_array_equal(P, P0)
    np.testing.assert_array_equal(R, R0)
    np.testing.assert_array_equal(v, [1.0, 2.0])
