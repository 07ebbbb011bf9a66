"""Tests for gaebook.random_walk: the 19-state random walk of chapter 11."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gaebook.random_walk import N_STATES, Walks, generate_walks, rms_error, transition_model, true_values


def test_true_values_of_the_19_state_walk_are_minus_09_to_09():
    np.testing.assert_allclose(true_values(), np.arange(-9, 10) / 10, atol=1e-15)
    assert N_STATES == 19


@pytest.mark.parametrize("n_states", [3, 5, 7, 19, 51])
def test_true_values_solve_the_bellman_equation(n_states):
    P, r = transition_model(n_states)
    v = true_values(n_states)
    np.testing.assert_allclose(v, r + P @ v, atol=1e-12)  # v = r + gamma P v with gamma = 1
    np.testing.assert_allclose(v, np.linalg.solve(np.eye(n_states) - P, r), atol=1e-12)


def test_transition_rows_lose_one_half_at_the_ends_only():
    P, _ = transition_model(7)
    np.testing.assert_allclose(P.sum(axis=1), [0.5, 1, 1, 1, 1, 1, 0.5])


def test_rms_error_of_the_truth_is_zero_and_of_zeros_is_sqrt_03():
    assert rms_error(true_values()) == pytest.approx(0.0, abs=1e-15)
    assert rms_error(np.zeros(19)) == pytest.approx(np.sqrt(0.3), rel=1e-14)
    assert rms_error(np.zeros((2, 3, 19))).shape == (2, 3)


def test_walks_are_reproducible_from_the_seed():
    a, b = generate_walks(5, 4, seed=3), generate_walks(5, 4, seed=3)
    c = generate_walks(5, 4, seed=4)
    for x, y in zip(a[:3], b[:3]):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a.lengths, c.lengths)


@settings(max_examples=20, deadline=None)
@given(n_runs=st.integers(1, 4), n_episodes=st.integers(1, 4), half=st.integers(1, 6), seed=st.integers(0, 10**6))
def test_every_walk_is_a_valid_episode(n_runs, n_episodes, half, seed):
    n = 2 * half + 1
    w = generate_walks(n_runs, n_episodes, n_states=n, seed=seed)
    assert isinstance(w, Walks) and w.n_states == n
    assert w.states.shape[:2] == (n_runs, n_episodes) and w.rewards.shape[2] == w.states.shape[2] - 1
    for i in range(n_runs):
        for e in range(n_episodes):
            T = w.lengths[i, e]
            s = w.states[i, e]
            assert T >= half + 1  # at least the distance to an end
            assert s[0] == n // 2  # start in the middle
            assert np.all((s[:T] >= 0) & (s[:T] < n)) and np.all(s[T:] == n)  # terminal from T on
            assert np.all(np.abs(np.diff(s[:T])) == 1)  # one step left or right
            last = s[T - 1]
            assert last in (0, n - 1)  # only the end states can exit
            expected = 1.0 if last == n - 1 else -1.0
            np.testing.assert_array_equal(w.rewards[i, e, :T], np.r_[np.zeros(T - 1), expected])
            assert np.all(w.rewards[i, e, T:] == 0)


def test_episode_statistics_match_the_gamblers_ruin():
    w = generate_walks(50, 40, n_states=5, seed=0)  # 2000 episodes of the 5-state walk
    T = w.lengths.ravel().astype(float)
    # expected duration from the middle of 5 states: 3 * 3 = 9 steps; 5 standard errors
    assert abs(T.mean() - 9.0) < 5 * T.std() / np.sqrt(T.size)
    right = (w.rewards.sum(axis=2) > 0).ravel()
    assert abs(right.mean() - 0.5) < 5 * 0.5 / np.sqrt(right.size)


@pytest.mark.parametrize("bad", [2, 4, 1, 0, -3, 3.0, True, "19"])
def test_bad_n_states_is_refused(bad):
    with pytest.raises(ValueError, match="^n_states"):
        generate_walks(1, 1, n_states=bad)
    with pytest.raises(ValueError, match="^n_states"):
        true_values(bad)


@pytest.mark.parametrize("name", ["n_runs", "n_episodes"])
@pytest.mark.parametrize("bad", [0, -1, 2.0, None])
def test_bad_counts_are_refused(name, bad):
    kwargs = {"n_runs": 2, "n_episodes": 2, name: bad}
    with pytest.raises(ValueError, match=f"^{name}"):
        generate_walks(kwargs["n_runs"], kwargs["n_episodes"])


def test_bad_seed_and_values_are_refused():
    with pytest.raises(ValueError, match="^seed"):
        generate_walks(1, 1, seed=1.5)
    with pytest.raises(ValueError, match="^values"):
        rms_error(np.array(["a"] * 19))
