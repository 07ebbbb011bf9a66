"""Where the naive bootstraps go wrong in a rollout that holds several episodes (chapter 9).

The correct bootstrap at step t is ``next_values[t]``, the value of the true
next observation. Two common shortcuts:

* ``values[1:]``: bootstrap with the value of the next *row*, which after an
  automatic reset is the next episode's first state;
* truncation treated as termination: bootstrap with 0 where the episode was
  only cut by a time limit.

Both leave every step alone except (a) the steps that end an episode by
truncation alone (truncated and not terminated, before the rollout's last
row), and, for GAE with gamma * lam > 0, (b) the earlier steps of the same
episode, whose backward accumulation reaches such a step. The difference at
step t of an episode truncated at step u is (gamma*lam)^(u-t) times the TD
error difference at u.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gaebook import gae, td_errors

ATOL = 1e-9  # far below the smallest true difference these rollouts can produce (> 1e-8), far above rounding


def make_rollout(seed, T, N, p_term, p_trunc):
    """A random rollout with automatic resets in the book's convention.

    ``values`` are V of each row's state; after an episode end, row t + 1 is the
    next episode's first state. ``next_values`` equals ``values[t + 1]`` inside
    an episode; at a truncation it is the value of the final observation, kept
    at least 2 away from both the next row's value and 0 so that every
    predicted difference is visibly nonzero. At a termination it is NaN (ignored).
    """
    rng = np.random.default_rng(seed)
    rewards = rng.normal(size=(T, N))
    values = rng.uniform(-1.0, 1.0, size=(T, N))
    bootstrap_last = rng.uniform(-1.0, 1.0, size=N)  # value of the observation the rollout stopped at
    terminated = rng.random((T, N)) < p_term
    truncated = rng.random((T, N)) < p_trunc
    next_values = np.empty((T, N))
    next_values[:-1] = values[1:]
    next_values[-1] = bootstrap_last
    final = rng.uniform(3.0, 4.0, size=(T, N)) * rng.choice([-1.0, 1.0], size=(T, N))
    cut = truncated & ~terminated
    next_values[cut] = final[cut]
    next_values[terminated] = np.nan
    # the rollout stopped at the observation after its last row: its value is next_values[-1]
    return rewards, values, next_values, terminated, truncated, next_values[-1].copy()


def naive_next_values(values, bootstrap_last):
    """``values[1:]`` plus the bootstrap of the last row: the shortcut of chapter 9."""
    return np.concatenate([values[1:], bootstrap_last[None]], axis=0)


def truncation_ends(terminated, truncated, *, last_row=False):
    """Boolean [T, N]: the step ends its episode by truncation alone.

    The last row is included only if ``last_row``: there ``values[1:]`` plus the
    bootstrap still uses ``next_values[-1]``, but "truncation as termination" does not.
    """
    ends = truncated & ~terminated
    if not last_row:
        ends[-1] = False
    return ends


def segment_end(terminated, truncated):
    """For each (t, i): the row u >= t where t's episode stretch ends (done, or the last row)."""
    T, N = terminated.shape
    done = terminated | truncated
    u = np.empty((T, N), dtype=int)
    nxt = np.full(N, T - 1)
    for t in range(T - 1, -1, -1):
        nxt = np.where(done[t], t, nxt)
        u[t] = nxt
    return u


def predicted_gae_difference(td_difference, terminated, truncated, gamma, lam, *, last_row=False):
    """(gamma*lam)^(u - t) * td_difference[u] for t in an episode truncated at u, else 0."""
    T, N = terminated.shape
    u = segment_end(terminated, truncated)
    ends = truncation_ends(terminated, truncated, last_row=last_row)
    t = np.arange(T)[:, None]
    cols = np.arange(N)[None, :]
    reaches = ends[u, cols]
    return np.where(reaches, (gamma * lam) ** (u - t) * td_difference[u, cols], 0.0), reaches


rollouts = st.tuples(
    st.integers(0, 2**32 - 1),
    st.integers(1, 25),
    st.integers(1, 3),
    st.sampled_from([0.0, 0.1, 0.3]),
    st.sampled_from([0.05, 0.2, 0.5]),
)
gammas = st.floats(0.7, 1.0)
lams = st.floats(0.7, 1.0)


@settings(max_examples=150, deadline=None)
@given(rollouts, gammas)
def test_values_shifted_td_errors_differ_exactly_at_steps_truncated_but_not_terminated(ro, gamma):
    r, v, nv, term, trunc, last = make_rollout(*ro)
    correct = td_errors(r, v, nv, term, trunc, gamma=gamma)
    naive = td_errors(r, v, naive_next_values(v, last), term, trunc, gamma=gamma)
    differs = np.abs(naive - correct) > ATOL
    np.testing.assert_array_equal(differs, truncation_ends(term, trunc))


@settings(max_examples=150, deadline=None)
@given(rollouts, gammas, lams)
def test_values_shifted_gae_differs_exactly_on_episodes_that_end_by_truncation_inside_the_rollout(ro, gamma, lam):
    r, v, nv, term, trunc, last = make_rollout(*ro)
    correct, _ = gae(r, v, nv, term, trunc, gamma=gamma, lam=lam)
    naive, _ = gae(r, v, naive_next_values(v, last), term, trunc, gamma=gamma, lam=lam)
    td_diff = np.zeros_like(v)
    ends = truncation_ends(term, trunc)
    td_diff[:-1][ends[:-1]] = gamma * (v[1:][ends[:-1]] - nv[:-1][ends[:-1]])
    predicted, reaches = predicted_gae_difference(td_diff, term, trunc, gamma, lam)
    np.testing.assert_array_equal(np.abs(naive - correct) > ATOL, reaches)
    np.testing.assert_allclose(naive - correct, predicted, rtol=1e-9, atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(rollouts, gammas)
def test_with_lam_zero_the_gae_differences_are_only_the_truncation_steps(ro, gamma):
    r, v, nv, term, trunc, last = make_rollout(*ro)
    correct, _ = gae(r, v, nv, term, trunc, gamma=gamma, lam=0.0)
    naive, _ = gae(r, v, naive_next_values(v, last), term, trunc, gamma=gamma, lam=0.0)
    np.testing.assert_array_equal(np.abs(naive - correct) > ATOL, truncation_ends(term, trunc))


@settings(max_examples=150, deadline=None)
@given(rollouts, gammas, lams)
def test_truncation_as_termination_differs_exactly_on_episodes_that_end_by_truncation_including_the_last_row(ro, gamma, lam):
    r, v, nv, term, trunc, _ = make_rollout(*ro)
    correct, _ = gae(r, v, nv, term, trunc, gamma=gamma, lam=lam)
    as_term, _ = gae(r, v, nv, term | trunc, np.zeros_like(trunc), gamma=gamma, lam=lam)
    ends = truncation_ends(term, trunc, last_row=True)
    td_diff = -gamma * np.where(ends, nv, 0.0)  # bootstrap 0 instead of V(final observation)
    predicted, reaches = predicted_gae_difference(td_diff, term, trunc, gamma, lam, last_row=True)
    np.testing.assert_array_equal(np.abs(as_term - correct) > ATOL, reaches)
    np.testing.assert_allclose(as_term - correct, predicted, rtol=1e-9, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(rollouts, lams)
def test_with_gamma_zero_no_bootstrap_matters_and_nothing_differs(ro, lam):
    r, v, nv, term, trunc, last = make_rollout(*ro)
    correct, _ = gae(r, v, nv, term, trunc, gamma=0.0, lam=lam)
    naive, _ = gae(r, v, naive_next_values(v, last), term, trunc, gamma=0.0, lam=lam)
    np.testing.assert_array_equal(naive, correct)


def test_step_both_terminated_and_truncated_counts_as_terminated_and_is_not_in_the_difference_set():
    r = np.ones(4)
    v = np.array([1.0, 2.0, 3.0, 4.0])
    nv = np.array([2.0, 3.0, np.nan, 5.0])
    term = np.array([False, False, True, False])
    trunc = np.array([False, False, True, False])
    correct, _ = gae(r, v, nv, term, trunc, gamma=0.9, lam=0.9)
    naive, _ = gae(r, v, np.array([2.0, 3.0, 4.0, 5.0]), term, trunc, gamma=0.9, lam=0.9)
    np.testing.assert_array_equal(naive, correct)
    assert correct[2] == 1.0 - 3.0  # bootstrap 0, nothing carried from step 3


def test_a_small_hand_example_differs_at_the_truncation_and_the_steps_before_it_in_that_episode():
    # episode A: rows 0-2, truncated at 2 (final value 10); episode B: rows 3-4, terminated at 4
    r = np.zeros(5)
    v = np.array([1.0, 1.0, 1.0, -1.0, -1.0])
    nv = np.array([1.0, 1.0, 10.0, -1.0, np.nan])
    term = np.array([False, False, False, False, True])
    trunc = np.array([False, False, True, False, False])
    gamma, lam = 0.5, 0.5
    correct, _ = gae(r, v, nv, term, trunc, gamma=gamma, lam=lam)
    naive, _ = gae(r, v, np.append(v[1:], 0.0), term, trunc, gamma=gamma, lam=lam)
    diff = naive - correct
    jump = gamma * (-1.0 - 10.0)  # gamma * (V(next episode's first state) - V(final observation))
    np.testing.assert_allclose(diff, [(gamma * lam) ** 2 * jump, gamma * lam * jump, jump, 0.0, 0.0], atol=1e-15)
