"""Tests for gaebook.td_learning: n-step TD, the λ-return and TD(λ) on the random walk (chapter 11)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gaebook import lambda_returns
from gaebook.random_walk import generate_walks, rms_error
from gaebook.td_learning import (
    lambda_return_increments,
    nstep_td,
    offline_lambda_return,
    td_lambda,
    td_lambda_increments,
)

ALPHAS = np.array([0.0, 0.1, 0.35, 0.8, 1.0])
INITIAL = np.sqrt(0.3)  # RMS error of the all-zero table on 19 states


@pytest.fixture(scope="module")
def walks():
    return generate_walks(4, 3, seed=5)


@pytest.fixture(scope="module")
def small_walks():
    return generate_walks(3, 4, n_states=5, seed=1)


# ----------------------------------------------------------------------------- plain-loop references


def episodes(walks, i):
    """(states S_0..S_T, rewards r_0..r_{T-1}) of every episode of run i, terminal index n_states."""
    for e in range(walks.n_episodes):
        T = walks.lengths[i, e]
        yield walks.states[i, e, : T + 1], walks.rewards[i, e, :T]


def reference(walks, algorithm, alpha, **kw):
    """Run ``algorithm(V, states, rewards, alpha, **kw)`` (in place) on every run; RMS after each episode."""
    errors, finals = [], []
    for i in range(walks.n_runs):
        V = np.zeros(walks.n_states + 1)  # last entry: terminal, value 0
        row = []
        for states, rewards in episodes(walks, i):
            algorithm(V, states, rewards, alpha, **kw)
            row.append(rms_error(V[:-1]))
        errors.append(row)
        finals.append(V[:-1].copy())
    return np.array(errors), np.array(finals)


def ref_nstep(V, S, r, alpha, n, gamma=1.0):
    """Sutton & Barto's n-step TD, literally: the update of tau happens at time t = tau + n - 1."""
    T = len(r)
    t = 0
    while True:
        tau = t - n + 1
        if tau >= 0:
            G = sum(gamma ** (j - tau) * r[j] for j in range(tau, min(tau + n, T)))
            if tau + n < T:
                G += gamma**n * V[S[tau + n]]
            V[S[tau]] += alpha * (G - V[S[tau]])
        if tau == T - 1:
            return
        t += 1


def ref_td0_replayed(V, S, r, alpha, gamma=1.0):
    """Offline TD(0): at the episode's end, V(s_t) moves toward r_t + gamma V_frozen(s_{t+1}), in order."""
    frozen = V.copy()
    for t in range(len(r)):
        V[S[t]] += alpha * (r[t] + gamma * frozen[S[t + 1]] - V[S[t]])


def ref_mc(V, S, r, alpha, gamma=1.0):
    """Every-visit constant-alpha Monte Carlo, updates applied in order at the episode's end."""
    G = 0.0
    returns = []
    for t in range(len(r) - 1, -1, -1):
        G = r[t] + gamma * G
        returns.append(G)
    for t, G in enumerate(reversed(returns)):
        V[S[t]] += alpha * (G - V[S[t]])


def ref_lambda_return(V, S, r, alpha, lam, gamma=1.0):
    """Offline λ-return with the library's backward pass (one episode, frozen values), applied in order."""
    T = len(r)
    term = np.arange(T) == T - 1
    targets = lambda_returns(r, V[S[1:]], term, np.zeros(T, bool), gamma=gamma, lam=lam)
    for t in range(T):
        V[S[t]] += alpha * (targets[t] - V[S[t]])


def ref_td_lambda(V, S, r, alpha, lam, gamma=1.0):
    """Online TD(λ) with an accumulating trace, one step at a time."""
    e = np.zeros_like(V)
    for t in range(len(r)):
        delta = r[t] + gamma * V[S[t + 1]] - V[S[t]]
        e *= gamma * lam
        e[S[t]] += 1.0
        V += alpha * delta * e
        V[-1] = 0.0


# ----------------------------------------------------------------------------- experiments against references


@pytest.mark.parametrize("n", [1, 2, 3, 8])
def test_nstep_td_matches_the_textbook_loop(small_walks, n):
    got = nstep_td(small_walks, n=n, alpha=ALPHAS, gamma=0.9)
    for a, alpha in enumerate(ALPHAS):
        err, final = reference(small_walks, ref_nstep, alpha, n=n, gamma=0.9)
        np.testing.assert_allclose(got.rms_error[0, a], err, atol=1e-12)
        np.testing.assert_allclose(got.values[0, a], final, atol=1e-12)


@pytest.mark.parametrize("lam", [0.0, 0.5, 0.9, 1.0])
def test_offline_lambda_return_matches_the_library_backward_pass(walks, lam):
    got = offline_lambda_return(walks, lam=lam, alpha=ALPHAS)
    for a, alpha in enumerate(ALPHAS):
        err, final = reference(walks, ref_lambda_return, alpha, lam=lam)
        np.testing.assert_allclose(got.rms_error[0, a], err, atol=1e-12)
        np.testing.assert_allclose(got.values[0, a], final, atol=1e-12)


@pytest.mark.parametrize("lam", [0.0, 0.6, 1.0])
def test_online_td_lambda_matches_the_step_by_step_loop(small_walks, lam):
    got = td_lambda(small_walks, lam=[lam], alpha=ALPHAS[:4], gamma=0.95)
    for a, alpha in enumerate(ALPHAS[:4]):
        err, final = reference(small_walks, ref_td_lambda, alpha, lam=lam, gamma=0.95)
        np.testing.assert_allclose(got.rms_error[0, a], err, atol=1e-12)
        np.testing.assert_allclose(got.values[0, a], final, atol=1e-12)


def test_lambda_zero_offline_lambda_return_is_offline_td0(walks):
    got = offline_lambda_return(walks, lam=0.0, alpha=ALPHAS)
    summed = offline_lambda_return(walks, lam=0.0, alpha=ALPHAS, summed=True)
    offline_td0 = td_lambda(walks, lam=0.0, alpha=ALPHAS, online=False)
    for a, alpha in enumerate(ALPHAS):
        err, final = reference(walks, ref_td0_replayed, alpha)
        np.testing.assert_allclose(got.values[0, a], final, atol=1e-12)
        np.testing.assert_allclose(got.rms_error[0, a], err, atol=1e-12)
    np.testing.assert_allclose(summed.values, offline_td0.values, atol=1e-12)


def test_lambda_one_offline_lambda_return_is_monte_carlo(walks):
    got = offline_lambda_return(walks, lam=1.0, alpha=ALPHAS)
    for a, alpha in enumerate(ALPHAS):
        _, final = reference(walks, ref_mc, alpha)
        np.testing.assert_allclose(got.values[0, a], final, atol=1e-12)


def test_nstep_td_with_n_at_least_the_episode_length_is_monte_carlo(walks):
    longest = int(walks.lengths.max())
    got = nstep_td(walks, n=[longest, longest + 7, 10 * longest], alpha=ALPHAS)
    mc = offline_lambda_return(walks, lam=1.0, alpha=ALPHAS)
    for a, alpha in enumerate(ALPHAS):
        err, final = reference(walks, ref_mc, alpha)
        for p in range(3):
            np.testing.assert_allclose(got.values[p, a], final, atol=1e-12)
            np.testing.assert_allclose(got.rms_error[p, a], err, atol=1e-12)
    np.testing.assert_allclose(got.values[0], mc.values[0], atol=1e-12)


def test_one_step_td_is_td_lambda_with_lambda_zero(walks):
    np.testing.assert_allclose(
        nstep_td(walks, n=1, alpha=ALPHAS).values, td_lambda(walks, lam=0.0, alpha=ALPHAS).values, atol=1e-12
    )


def test_alpha_zero_leaves_the_rms_error_at_its_initial_value(walks):
    for result in (
        nstep_td(walks, n=[1, 4], alpha=0.0),
        offline_lambda_return(walks, lam=[0.0, 0.9], alpha=0.0),
        offline_lambda_return(walks, lam=0.5, alpha=0.0, summed=True),
        td_lambda(walks, lam=[0.0, 1.0], alpha=0.0),
        td_lambda(walks, lam=0.5, alpha=0.0, online=False),
    ):
        np.testing.assert_allclose(result.rms_error, INITIAL, rtol=1e-14)
        assert np.all(result.values == 0.0)


@settings(max_examples=15, deadline=None)
@given(
    lam=st.floats(0, 1),
    alpha=st.floats(0, 1),
    gamma=st.floats(0.5, 1),
    seed=st.integers(0, 10**6),
)
def test_summed_lambda_return_updates_equal_offline_td_lambda(lam, alpha, gamma, seed):
    """The offline-equivalence theorem, over whole experiments."""
    w = generate_walks(2, 3, n_states=7, seed=seed)
    a = offline_lambda_return(w, lam=lam, alpha=alpha, gamma=gamma, summed=True)
    b = td_lambda(w, lam=lam, alpha=alpha, gamma=gamma, online=False)
    np.testing.assert_allclose(a.values, b.values, rtol=1e-9, atol=1e-9)


def test_shapes_follow_settings_alphas_runs_episodes(walks):
    res = td_lambda(walks, lam=[0.0, 0.5, 1.0], alpha=[0.1, 0.2])
    assert res.rms_error.shape == (3, 2, walks.n_runs, walks.n_episodes)
    assert res.values.shape == (3, 2, walks.n_runs, walks.n_states)
    assert nstep_td(walks, n=3, alpha=0.5).rms_error.shape == (1, 1, walks.n_runs, walks.n_episodes)


def test_online_td_lambda_diverges_for_large_alpha_and_lambda_without_warnings():
    w = generate_walks(3, 10, seed=0)
    with np.errstate(all="raise"):  # no floating-point warnings escape the library
        res = td_lambda(w, lam=1.0, alpha=1.0)
    assert not np.all(np.isfinite(res.rms_error[..., -1])) or np.all(res.rms_error[..., -1] > 10)


# ----------------------------------------------------------------------------- one episode: the theorem


episode_strategy = st.integers(1, 5).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.lists(st.integers(0, n - 1), min_size=1, max_size=12),
        st.floats(0, 1),
        st.floats(0, 1),
        st.integers(0, 2**32 - 1),
    )
)


@settings(max_examples=60, deadline=None)
@given(episode_strategy)
def test_summed_td_lambda_updates_equal_summed_lambda_return_updates(ep):
    n, states, gamma, lam, seed = ep
    rng = np.random.default_rng(seed)
    states = np.array(states)
    rewards = rng.normal(size=states.size)
    values = rng.normal(size=n)
    backward = td_lambda_increments(states, rewards, values, gamma=gamma, lam=lam)
    forward = lambda_return_increments(states, rewards, values, gamma=gamma, lam=lam)
    np.testing.assert_allclose(backward, forward, rtol=1e-9, atol=1e-9)


def test_increments_by_hand_for_a_two_step_episode():
    # s_0 = 0, s_1 = 1, then terminal; V = (1, 2); r = (0, 3); gamma = 1/2, lam = 1/2
    d0, d1 = 0 + 0.5 * 2 - 1, 3 + 0.5 * 0 - 2  # TD errors 0 and 1
    expected = np.array([d0 + 0.25 * d1, d1])  # trace of s_0 decayed by gamma * lam at t = 1
    got = td_lambda_increments([0, 1], [0.0, 3.0], [1.0, 2.0], gamma=0.5, lam=0.5)
    np.testing.assert_allclose(got, expected)
    np.testing.assert_allclose(lambda_return_increments([0, 1], [0.0, 3.0], [1.0, 2.0], gamma=0.5, lam=0.5), expected)


def test_increments_keep_float32_and_do_not_modify_inputs():
    states = np.array([0, 1, 0])
    rewards = np.array([1.0, 0.0, -1.0], dtype=np.float32)
    values = np.array([0.5, -0.5], dtype=np.float32)
    copies = states.copy(), rewards.copy(), values.copy()
    for f in (td_lambda_increments, lambda_return_increments):
        out = f(states, rewards, values, gamma=0.9, lam=0.7)
        assert out.dtype == np.float32 and out.shape == (2,)
    for x, y in zip((states, rewards, values), copies):
        np.testing.assert_array_equal(x, y)


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("f", [offline_lambda_return, td_lambda])
def test_bad_lambda_or_alpha_is_refused(walks, f):
    for bad in (-0.1, 1.5, np.nan, [0.5, 2.0], "0.5"):
        with pytest.raises(ValueError, match="^lam"):
            f(walks, lam=bad, alpha=0.1)
    for bad in (-0.1, np.inf, [0.1, -1.0], np.zeros((2, 2)), []):
        with pytest.raises(ValueError, match="^alpha"):
            f(walks, lam=0.5, alpha=bad)
    with pytest.raises(ValueError, match="^gamma"):
        f(walks, lam=0.5, alpha=0.1, gamma=1.1)


@settings(max_examples=25, deadline=None)
@given(alpha=st.floats(max_value=-1e-9) | st.just(float("nan")))
def test_negative_or_nan_alpha_is_refused_everywhere(walks, alpha):
    for call in (
        lambda: nstep_td(walks, n=2, alpha=alpha),
        lambda: offline_lambda_return(walks, lam=0.5, alpha=alpha),
        lambda: td_lambda(walks, lam=0.5, alpha=alpha),
    ):
        with pytest.raises(ValueError, match="^alpha"):
            call()


@pytest.mark.parametrize("bad", [0, -2, 1.5, [1, 0], np.array([2.0]), True])
def test_bad_n_is_refused(walks, bad):
    with pytest.raises(ValueError, match="^n"):
        nstep_td(walks, n=bad, alpha=0.1)


def test_wrong_walks_are_refused(walks):
    with pytest.raises(ValueError, match="^walks"):
        td_lambda((walks.states, walks.rewards), lam=0.5, alpha=0.1)
    broken = walks._replace(rewards=walks.rewards[:, :, :-1])
    with pytest.raises(ValueError, match="^walks.rewards"):
        nstep_td(broken, n=1, alpha=0.1)
    broken = walks._replace(lengths=walks.lengths[:1])
    with pytest.raises(ValueError, match="^walks.lengths"):
        offline_lambda_return(broken, lam=0.5, alpha=0.1)


@pytest.mark.parametrize("f", [td_lambda_increments, lambda_return_increments])
def test_bad_episodes_are_refused(f):
    ok = dict(states=[0, 1], rewards=[0.0, 1.0], values=[0.0, 0.0], gamma=0.9, lam=0.5)
    cases = [
        ("states", dict(states=[0, 2])),  # out of range
        ("states", dict(states=[0.0, 1.0])),
        ("states", dict(states=[[0, 1]], rewards=[[0.0, 1.0]])),
        ("rewards", dict(rewards=[0.0, 1.0, 2.0])),
        ("rewards", dict(rewards=[0.0, np.nan])),
        ("values", dict(values=[[0.0, 0.0]])),
        ("values", dict(values=[0.0, np.inf])),
        ("gamma", dict(gamma=-0.1)),
        ("lam", dict(lam=1.01)),
    ]
    for name, change in cases:
        with pytest.raises(ValueError, match=f"^{name}"):
            f(**{**ok, **change})
