"""Properties of the core estimators: gae, td_errors, split_values, nstep_advantages,
discounted_returns and lambda_returns.

Every estimator is compared with a slow, obviously correct O(T^2) version of its
definition written in this file: explicit sums over the lag ``l`` that stop at
the end of the episode. Hypothesis draws rollouts with random episode
boundaries (terminated, truncated, both), one or several environments, and NaN
in ``next_values`` where a step terminated.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import gaebook
from gaebook import discounted_returns, gae, lambda_returns, nstep_advantages, split_values, td_errors

SETTINGS = settings(max_examples=60, deadline=None)

unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
finite = st.floats(min_value=-10.0, max_value=10.0, allow_nan=False, allow_infinity=False)


# ---------------------------------------------------------------------------
# Strategies
# ---------------------------------------------------------------------------


@st.composite
def rollouts(draw, *, consistent=False, max_t=10, max_n=3, nan_terminal=True):
    """A rollout dict in the book's transition convention.

    ``consistent=True`` makes ``next_values[t] == values[t + 1]`` wherever step
    ``t`` is not the last of its episode (the values a real critic gives);
    at episode ends ``next_values`` is free (bootstrap of the final observation).
    Where a step terminated, ``next_values`` is NaN with some probability.
    """
    T = draw(st.integers(1, max_t))
    one_d = draw(st.booleans())
    N = 1 if one_d else draw(st.integers(1, max_n))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    p_term = draw(st.sampled_from([0.0, 0.2, 0.5, 1.0]))
    p_trunc = draw(st.sampled_from([0.0, 0.2, 0.5, 1.0]))
    rewards = rng.normal(size=(T, N)) * 3
    values = rng.normal(size=(T, N)) * 3
    next_values = rng.normal(size=(T, N)) * 3
    terminated = rng.random((T, N)) < p_term
    truncated = rng.random((T, N)) < p_trunc
    done = terminated | truncated
    if consistent:
        inner = ~done[:-1]
        next_values[:-1][inner] = values[1:][inner]
    if nan_terminal and draw(st.booleans()):
        next_values[terminated] = np.nan
    arrays = dict(
        rewards=rewards, values=values, next_values=next_values, terminated=terminated, truncated=truncated
    )
    if one_d:
        arrays = {k: v[:, 0] for k, v in arrays.items()}
    return arrays


def as2d(x):
    x = np.asarray(x)
    return x[:, None] if x.ndim == 1 else x


# ---------------------------------------------------------------------------
# Direct O(T^2) definitions, one environment column at a time, in Python floats
# ---------------------------------------------------------------------------


def _columns(ro):
    """Yield (i, r, v, nv, term, done) per environment as Python lists."""
    r, v, nv = as2d(ro["rewards"]), as2d(ro["values"]), as2d(ro["next_values"])
    term, trunc = as2d(ro["terminated"]), as2d(ro["truncated"])
    for i in range(r.shape[1]):
        yield (
            i,
            r[:, i].tolist(),
            v[:, i].tolist(),
            nv[:, i].tolist(),
            term[:, i].tolist(),
            (term[:, i] | trunc[:, i]).tolist(),
        )


def _boot(nv, term, u):
    """Bootstrap value after step u: 0 if terminated, else next_values[u]."""
    return 0.0 if term[u] else nv[u]


def _episode_end(done, t):
    """Index of the last step of the episode that contains step t."""
    u = t
    while not done[u] and u < len(done) - 1:
        u += 1
    return u


def _shape_like(ro, out):
    return out[:, 0] if np.ndim(ro["rewards"]) == 1 else out


def direct_td(ro, gamma):
    T = len(ro["rewards"])
    out = np.zeros(as2d(ro["rewards"]).shape)
    for i, r, v, nv, term, _ in _columns(ro):
        for t in range(T):
            out[t, i] = r[t] + gamma * _boot(nv, term, t) - v[t]
    return _shape_like(ro, out)


def direct_gae(ro, gamma, lam):
    """sum_{l=0}^{end-t} (gamma lam)^l delta_{t+l}."""
    delta = as2d(direct_td(ro, gamma))
    out = np.zeros_like(delta)
    for i, *_, done in _columns(ro):
        for t in range(delta.shape[0]):
            end = _episode_end(done, t)
            out[t, i] = sum((gamma * lam) ** l * delta[t + l, i] for l in range(end - t + 1))
    return _shape_like(ro, out)


def direct_nstep(ro, gamma, k):
    """sum_{l=0}^{min(k, end-t+1)-1} gamma^l delta_{t+l}."""
    delta = as2d(direct_td(ro, gamma))
    out = np.zeros_like(delta)
    for i, *_, done in _columns(ro):
        for t in range(delta.shape[0]):
            end = _episode_end(done, t)
            out[t, i] = sum(gamma**l * delta[t + l, i] for l in range(min(k, end - t + 1)))
    return _shape_like(ro, out)


def direct_discounted_return(ro, gamma):
    """sum_{l=0}^{L-1} gamma^l r_{t+l} + gamma^L * bootstrap at the episode end, L = end - t + 1."""
    out = np.zeros(as2d(ro["rewards"]).shape)
    for i, r, v, nv, term, done in _columns(ro):
        for t in range(len(r)):
            end = _episode_end(done, t)
            L = end - t + 1
            out[t, i] = sum(gamma**l * r[t + l] for l in range(L)) + gamma**L * _boot(nv, term, end)
    return _shape_like(ro, out)


def direct_lambda_return(ro, gamma, lam, *, bootstrap_from="values"):
    r"""(1 - lam) sum_{n=1}^{L-1} lam^{n-1} R^{(n)} + lam^{L-1} R^{(L)} (finite-episode tail weight).

    R^{(n)}_t = sum_{l<n} gamma^l r_{t+l} + gamma^n V(s_{t+n}). With
    ``bootstrap_from="values"`` the interior V(s_{t+n}) is ``values[t+n]`` (the
    textbook definition); with ``"next_values"`` it is ``next_values[t+n-1]``.
    R^{(L)} bootstraps with the episode's end value (0 if terminated).
    """
    out = np.zeros(as2d(ro["rewards"]).shape)
    for i, r, v, nv, term, done in _columns(ro):
        for t in range(len(r)):
            end = _episode_end(done, t)
            L = end - t + 1

            def R(n):
                head = sum(gamma**l * r[t + l] for l in range(n))
                if n == L:
                    tail = _boot(nv, term, end)
                else:
                    tail = v[t + n] if bootstrap_from == "values" else nv[t + n - 1]
                return head + gamma**n * tail

            out[t, i] = (1 - lam) * sum(lam ** (n - 1) * R(n) for n in range(1, L)) + lam ** (L - 1) * R(L)
    return _shape_like(ro, out)


def call(fn, ro, **kw):
    if fn in (discounted_returns, lambda_returns):
        return fn(ro["rewards"], ro["next_values"], ro["terminated"], ro["truncated"], **kw)
    return fn(ro["rewards"], ro["values"], ro["next_values"], ro["terminated"], ro["truncated"], **kw)


def close(a, b, scale=1.0):
    """Float64 agreement: both sides sum at most T^2 terms of size <= ~30; 1e-9 is far above rounding."""
    np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9 * scale)


# ---------------------------------------------------------------------------
# The estimators equal their definitions
# ---------------------------------------------------------------------------


@SETTINGS
@given(ro=rollouts(), gamma=unit, lam=unit)
def test_gae_equals_sum_of_discounted_td_errors_up_to_episode_end(ro, gamma, lam):
    adv, ret = call(gae, ro, gamma=gamma, lam=lam)
    close(adv, direct_gae(ro, gamma, lam))
    close(ret, adv + ro["values"])
    assert adv.shape == np.shape(ro["rewards"]) and ret.shape == adv.shape
    assert np.all(np.isfinite(adv))


@SETTINGS
@given(ro=rollouts(), gamma=unit)
def test_td_errors_equal_r_plus_gamma_bootstrap_minus_v(ro, gamma):
    close(call(td_errors, ro, gamma=gamma), direct_td(ro, gamma))


@SETTINGS
@given(ro=rollouts(), gamma=unit, k=st.integers(1, 12))
def test_nstep_equals_sum_of_k_discounted_td_errors_with_boundaries(ro, gamma, k):
    close(call(nstep_advantages, ro, gamma=gamma, k=k), direct_nstep(ro, gamma, k))


@SETTINGS
@given(ro=rollouts(), gamma=unit)
def test_discounted_returns_equal_direct_sum_with_bootstrap(ro, gamma):
    close(call(discounted_returns, ro, gamma=gamma), direct_discounted_return(ro, gamma))


@SETTINGS
@given(ro=rollouts(consistent=True), gamma=unit, lam=unit)
def test_gae_returns_equal_lambda_return_definition(ro, gamma, lam):
    """returns = A + V equals (1 - lam) sum lam^{n-1} R^(n) with the finite-episode tail weight."""
    _, ret = call(gae, ro, gamma=gamma, lam=lam)
    expected = direct_lambda_return(ro, gamma, lam)
    close(ret, expected, scale=10)
    close(call(lambda_returns, ro, gamma=gamma, lam=lam), expected, scale=10)


@SETTINGS
@given(ro=rollouts(), gamma=unit, lam=unit)
def test_lambda_returns_equal_definition_with_next_values_bootstraps(ro, gamma, lam):
    """Without consistent values, lambda_returns uses next_values[t+n-1] as V(s_{t+n})."""
    close(
        call(lambda_returns, ro, gamma=gamma, lam=lam),
        direct_lambda_return(ro, gamma, lam, bootstrap_from="next_values"),
        scale=10,
    )


# ---------------------------------------------------------------------------
# Named edge cases of a rollout
# ---------------------------------------------------------------------------


def _edge(terminated, truncated, seed=0):
    terminated, truncated = np.asarray(terminated, bool), np.asarray(truncated, bool)
    rng = np.random.default_rng(seed)
    shape = terminated.shape
    nv = rng.normal(size=shape)
    nv[terminated] = np.nan
    return dict(
        rewards=rng.normal(size=shape),
        values=rng.normal(size=shape),
        next_values=nv,
        terminated=terminated,
        truncated=truncated,
    )


EDGES = {
    "T=1": _edge([False], [False]),
    "T=1 terminated": _edge([True], [False]),
    "T=1 truncated": _edge([False], [True]),
    "truncation in the middle": _edge([0, 0, 0, 0, 0, 0], [0, 0, 1, 0, 0, 0]),
    "termination in the middle": _edge([0, 0, 1, 0, 0, 0], [0, 0, 0, 0, 0, 0]),
    "both flags at once": _edge([0, 1, 0, 0, 0], [0, 1, 0, 0, 0]),
    "length-one episodes": _edge([1, 0, 1, 0], [0, 1, 0, 1]),
    "episode ending at T-1": _edge([0, 0, 0, 1], [0, 0, 0, 0]),
    "truncated at T-1": _edge([0, 0, 0, 0], [0, 0, 0, 1]),
    "several environments, different boundaries": _edge(
        np.array([[0, 0, 1], [1, 0, 0], [0, 0, 0], [0, 0, 1], [0, 0, 0]]),
        np.array([[0, 1, 0], [0, 0, 0], [1, 0, 0], [0, 0, 1], [0, 0, 0]]),
    ),
}


@pytest.mark.parametrize("name", list(EDGES))
@pytest.mark.parametrize("gamma,lam", [(0.9, 0.8), (1.0, 1.0), (0.0, 0.5), (0.99, 0.0)])
def test_edge_case_rollouts_match_definitions(name, gamma, lam):
    ro = EDGES[name]
    adv, _ = call(gae, ro, gamma=gamma, lam=lam)
    close(adv, direct_gae(ro, gamma, lam))
    close(call(td_errors, ro, gamma=gamma), direct_td(ro, gamma))
    for k in (1, 2, 3, 10):
        close(call(nstep_advantages, ro, gamma=gamma, k=k), direct_nstep(ro, gamma, k))
    close(call(discounted_returns, ro, gamma=gamma), direct_discounted_return(ro, gamma))
    assert np.all(np.isfinite(adv))


def test_step_both_terminated_and_truncated_counts_as_terminated():
    both = _edge([0, 1, 0], [0, 1, 0])
    both["next_values"][1] = 123.0  # would be used if the step counted as truncated
    only_term = dict(both, truncated=np.zeros(3, bool))
    for fn, kw in [(gae, dict(lam=0.7)), (td_errors, {}), (nstep_advantages, dict(k=3))]:
        a = call(fn, both, gamma=0.9, **kw)
        b = call(fn, only_term, gamma=0.9, **kw)
        np.testing.assert_array_equal(a[0] if fn is gae else a, b[0] if fn is gae else b)
    adv, _ = call(gae, both, gamma=0.9, lam=0.7)
    assert adv[1] == pytest.approx(both["rewards"][1] - both["values"][1])


@SETTINGS
@given(ro=rollouts(), gamma=unit, lam=unit, data=st.data())
def test_advantage_before_a_boundary_ignores_the_next_episode(ro, gamma, lam, data):
    """Changing everything after a boundary leaves the advantages up to it unchanged."""
    done = as2d(ro["terminated"]) | as2d(ro["truncated"])
    ends = np.flatnonzero(done.any(axis=1))
    assume(len(ends) > 0 and ends[0] < len(done) - 1)
    b = int(ends[0])  # first step where some environment's episode ends
    env = int(np.flatnonzero(done[b])[0])
    changed = {k: as2d(np.array(v, copy=True)) for k, v in ro.items()}
    rng = np.random.default_rng(data.draw(st.integers(0, 1000)))
    for key in ("rewards", "values", "next_values"):
        changed[key][b + 1 :, env] = rng.normal(size=changed[key][b + 1 :, env].shape) * 100
    changed = {k: (v[:, 0] if np.ndim(ro[k]) == 1 else v) for k, v in changed.items()}
    a1 = as2d(call(gae, ro, gamma=gamma, lam=lam)[0])
    a2 = as2d(call(gae, changed, gamma=gamma, lam=lam)[0])
    np.testing.assert_array_equal(a1[: b + 1, env], a2[: b + 1, env])


@SETTINGS
@given(ro=rollouts(nan_terminal=True), gamma=unit, lam=unit)
def test_nan_next_values_where_terminated_are_ignored(ro, gamma, lam):
    filled = dict(ro, next_values=np.where(ro["terminated"], 0.0, ro["next_values"]))
    np.testing.assert_array_equal(call(gae, ro, gamma=gamma, lam=lam)[0], call(gae, filled, gamma=gamma, lam=lam)[0])
    np.testing.assert_array_equal(call(td_errors, ro, gamma=gamma), call(td_errors, filled, gamma=gamma))
    np.testing.assert_array_equal(
        call(lambda_returns, ro, gamma=gamma, lam=lam), call(lambda_returns, filled, gamma=gamma, lam=lam)
    )


# ---------------------------------------------------------------------------
# Limits
# ---------------------------------------------------------------------------


@SETTINGS
@given(ro=rollouts(), gamma=unit)
def test_lambda_zero_gives_td_errors(ro, gamma):
    adv, _ = call(gae, ro, gamma=gamma, lam=0.0)
    close(adv, call(td_errors, ro, gamma=gamma))
    close(call(nstep_advantages, ro, gamma=gamma, k=1), adv)


@SETTINGS
@given(ro=rollouts(consistent=True), gamma=unit)
def test_lambda_one_is_discounted_return_minus_value(ro, gamma):
    adv, _ = call(gae, ro, gamma=gamma, lam=1.0)
    close(adv, call(discounted_returns, ro, gamma=gamma) - ro["values"], scale=10)
    # and the k-step advantage with k >= T is the same Monte Carlo advantage
    T = len(ro["rewards"])
    close(call(nstep_advantages, ro, gamma=gamma, k=T), adv, scale=10)


@SETTINGS
@given(ro=rollouts(), lam=unit)
def test_gamma_zero_gives_reward_minus_value(ro, lam):
    adv, ret = call(gae, ro, gamma=0.0, lam=lam)
    np.testing.assert_array_equal(adv, ro["rewards"] - ro["values"])
    np.testing.assert_array_equal(ret, ro["rewards"] - ro["values"] + ro["values"])
    np.testing.assert_array_equal(call(discounted_returns, ro, gamma=0.0), ro["rewards"])


@SETTINGS
@given(
    T=st.integers(1, 30),
    N=st.integers(1, 4),
    gamma=st.floats(0.0, 0.99),
    lam=unit,
    p=st.sampled_from([0.0, 0.1, 0.5, 1.0]),
    seed=st.integers(0, 2**32 - 1),
)
def test_reward_one_and_exact_value_give_zero_advantage_when_episodes_are_truncated(T, N, gamma, lam, p, seed):
    """r = 1 and V = 1/(1-gamma) everywhere: every TD error is 1 + gamma/(1-gamma) - 1/(1-gamma) = 0."""
    rng = np.random.default_rng(seed)
    v = np.full((T, N), 1.0 / (1.0 - gamma))
    truncated = rng.random((T, N)) < p
    adv, ret = gae(np.ones((T, N)), v, v, np.zeros((T, N), bool), truncated, gamma=gamma, lam=lam)
    # each delta is a difference of numbers <= 100 in float64: 1e-12 covers rounding, summed over <= 30 steps
    np.testing.assert_allclose(adv, 0.0, atol=1e-11)
    np.testing.assert_allclose(ret, v, rtol=1e-12)
    np.testing.assert_allclose(nstep_advantages(np.ones((T, N)), v, v, np.zeros((T, N), bool), truncated,
                                                gamma=gamma, k=5), 0.0, atol=1e-11)


# ---------------------------------------------------------------------------
# nstep: the telescoped form within one episode
# ---------------------------------------------------------------------------


@SETTINGS
@given(T=st.integers(1, 12), k=st.integers(1, 12), gamma=unit, seed=st.integers(0, 2**32 - 1))
def test_nstep_equals_telescoped_form_within_an_episode(T, k, gamma, seed):
    """-V(s_t) + sum_{l<k} gamma^l r_{t+l} + gamma^k V(s_{t+k}) for every t with t + k <= T."""
    rng = np.random.default_rng(seed)
    r = rng.normal(size=T)
    vb = rng.normal(size=T + 1)  # V(s_0), ..., V(s_T): one episode cut by the rollout end
    v, nv = split_values(vb)
    no = np.zeros(T, bool)
    got = nstep_advantages(r, v, nv, no, no, gamma=gamma, k=k)
    for t in range(T - k + 1):
        tele = -vb[t] + sum(gamma**l * r[t + l] for l in range(k)) + gamma**k * vb[t + k]
        assert got[t] == pytest.approx(tele, rel=1e-9, abs=1e-9)
    for t in range(max(0, T - k + 1), T):  # fewer than k steps left: the sum stops at the rollout end
        m = T - t
        tele = -vb[t] + sum(gamma**l * r[t + l] for l in range(m)) + gamma**m * vb[T]
        assert got[t] == pytest.approx(tele, rel=1e-9, abs=1e-9)


# ---------------------------------------------------------------------------
# dtypes, shapes, inputs untouched
# ---------------------------------------------------------------------------

ALL = [
    (gae, dict(lam=0.9)),
    (td_errors, {}),
    (nstep_advantages, dict(k=3)),
    (discounted_returns, {}),
    (lambda_returns, dict(lam=0.9)),
]


def _outputs(fn, ro, **kw):
    out = call(fn, ro, **kw)
    return out if isinstance(out, tuple) else (out,)


@SETTINGS
@given(ro=rollouts(max_t=30), gamma=unit)
def test_float32_inputs_give_float32_outputs_close_to_float64(ro, gamma):
    """Tolerance: each output is a sum of at most 3T terms of size <= S = max|input|,
    each rounded with relative error 2^-24 ~ 6e-8 in float32; 1e-6 * T * S bounds that with margin."""
    ro32 = {k: (v.astype(np.float32) if v.dtype.kind == "f" else v) for k, v in ro.items()}
    ro64 = {k: (v.astype(np.float64) if v.dtype.kind == "f" else v) for k, v in ro32.items()}
    finite_inputs = [np.nan_to_num(ro64[k]) for k in ("rewards", "values", "next_values")]
    S = max(float(np.max(np.abs(a))) for a in finite_inputs) + 1.0
    T = len(ro["rewards"])
    for fn, kw in ALL:
        for a32, a64 in zip(_outputs(fn, ro32, gamma=gamma, **kw), _outputs(fn, ro64, gamma=gamma, **kw)):
            assert a32.dtype == np.float32
            assert a64.dtype == np.float64
            np.testing.assert_allclose(a32, a64, rtol=0, atol=1e-6 * T * S)


def test_integer_rewards_and_values_give_float64():
    ro = _edge([0, 0, 1], [0, 0, 0])
    ro = dict(ro, rewards=np.array([1, 2, 3]), values=np.array([0, 1, 0]))
    for fn, kw in ALL:
        for out in _outputs(fn, ro, gamma=0.9, **kw):
            assert out.dtype == np.float64


@SETTINGS
@given(ro=rollouts(), gamma=unit)
def test_inputs_are_not_modified(ro, gamma):
    before = {k: np.array(v, copy=True) for k, v in ro.items()}
    for fn, kw in ALL:
        outs = _outputs(fn, ro, gamma=gamma, **kw)
        for out in outs:
            for v in ro.values():
                assert not np.shares_memory(out, v)
    for k in ro:
        np.testing.assert_array_equal(ro[k], before[k])  # NaN compare equal in assert_array_equal
    vb = np.arange(5.0)
    v, nv = split_values(vb)
    v[:] = -1
    nv[:] = -1
    np.testing.assert_array_equal(vb, np.arange(5.0))


@SETTINGS
@given(ro=rollouts(max_n=1), gamma=unit)
def test_shape_T_and_T_by_1_agree(ro, gamma):
    flat = {k: np.reshape(v, (-1,)) for k, v in ro.items()}
    column = {k: v[:, None] for k, v in flat.items()}
    for fn, kw in ALL:
        for a, b in zip(_outputs(fn, flat, gamma=gamma, **kw), _outputs(fn, column, gamma=gamma, **kw)):
            assert a.ndim == 1 and b.shape == (a.shape[0], 1)
            np.testing.assert_array_equal(a, b[:, 0])


@SETTINGS
@given(ro=rollouts(), gamma=unit)
def test_integer_zero_one_flags_are_accepted_like_booleans(ro, gamma):
    as_int = dict(ro, terminated=ro["terminated"].astype(np.int64), truncated=ro["truncated"].astype(np.uint8))
    for fn, kw in ALL:
        for a, b in zip(_outputs(fn, ro, gamma=gamma, **kw), _outputs(fn, as_int, gamma=gamma, **kw)):
            np.testing.assert_array_equal(a, b)


def test_environments_are_independent():
    ro = EDGES["several environments, different boundaries"]
    adv, _ = call(gae, ro, gamma=0.9, lam=0.8)
    for i in range(adv.shape[1]):
        col = {k: v[:, i] for k, v in ro.items()}
        np.testing.assert_array_equal(call(gae, col, gamma=0.9, lam=0.8)[0], adv[:, i])


def test_gae_is_exported_from_the_package():
    assert gaebook.gae is gae and gaebook.nstep_advantages is nstep_advantages


# ---------------------------------------------------------------------------
# Bad inputs: ValueError whose message starts with the argument's name
# ---------------------------------------------------------------------------

GOOD = _edge([0, 0, 1, 0], [0, 1, 0, 0])
FNS = [fn for fn, _ in ALL]


def _kw(fn):
    return {gae: dict(gamma=0.9, lam=0.9), lambda_returns: dict(gamma=0.9, lam=0.9),
            nstep_advantages: dict(gamma=0.9, k=2)}.get(fn, dict(gamma=0.9))


def _raises(fn, name, **changes):
    ro = dict(GOOD, **{k: v for k, v in changes.items() if k in GOOD})
    kw = dict(_kw(fn), **{k: v for k, v in changes.items() if k not in GOOD})
    with pytest.raises(ValueError, match=f"^{name}"):
        call(fn, ro, **kw)


def _uses(fn, arg):
    return not (arg == "values" and fn in (discounted_returns, lambda_returns))


def _pairs(args):
    return [pytest.param(fn, a, id=f"{fn.__name__}-{a}") for fn in FNS for a in args if _uses(fn, a)]


@pytest.mark.parametrize("fn,arg", _pairs(["values", "next_values", "terminated", "truncated"]))
def test_shape_differing_from_rewards_is_refused(fn, arg):
    _raises(fn, arg, **{arg: np.concatenate([GOOD[arg], GOOD[arg][:1]])})
    _raises(fn, arg, **{arg: GOOD[arg][:, None]})


@pytest.mark.parametrize("fn,arg", _pairs(["rewards", "values", "next_values"]))
def test_arrays_that_are_not_1d_or_2d_are_refused(fn, arg):
    if arg == "rewards":
        _raises(fn, "rewards", rewards=np.float64(1.0))
        _raises(fn, "rewards", rewards=np.zeros((4, 1, 1)))
        _raises(fn, "rewards", rewards=np.zeros(0))
    else:
        _raises(fn, arg, **{arg: np.zeros((4, 1, 1))})


@pytest.mark.parametrize("fn,arg", _pairs(["rewards", "values", "next_values"]))
def test_non_real_arrays_are_refused(fn, arg):
    _raises(fn, arg, **{arg: np.ones(4, bool)})
    _raises(fn, arg, **{arg: np.array(["a"] * 4)})
    _raises(fn, arg, **{arg: np.ones(4, complex)})


bad_unit = st.one_of(
    st.floats(max_value=-1e-12, allow_nan=False),
    st.floats(min_value=1.0 + 1e-12, allow_nan=False),
    st.just(math.nan),
    st.just(math.inf),
    st.just(-math.inf),
    st.integers(2, 10**6),
    st.integers(max_value=-1),
    st.sampled_from([True, False, "0.9", None, [0.9], np.array(0.9)]),
)


@SETTINGS
@given(value=bad_unit, fn=st.sampled_from(FNS))
def test_gamma_outside_unit_interval_or_nan_is_refused(value, fn):
    _raises(fn, "gamma", gamma=value)


@SETTINGS
@given(value=bad_unit, fn=st.sampled_from([gae, lambda_returns]))
def test_lam_outside_unit_interval_or_nan_is_refused(value, fn):
    _raises(fn, "lam", lam=value)


@pytest.mark.parametrize("gamma", [0, 1, 0.0, 1.0, np.float32(0.5), np.int64(1)])
def test_gamma_and_lam_at_and_inside_the_ends_are_accepted(gamma):
    gae(GOOD["rewards"], GOOD["values"], GOOD["next_values"], GOOD["terminated"], GOOD["truncated"],
        gamma=gamma, lam=gamma)


@SETTINGS
@given(
    k=st.one_of(st.integers(max_value=0), st.floats(allow_nan=True), st.sampled_from([True, "2", None, 2.0]))
)
def test_k_not_a_positive_integer_is_refused(k):
    _raises(nstep_advantages, "k", k=k)


@SETTINGS
@given(
    arg=st.sampled_from(["rewards", "values"]),
    bad=st.sampled_from([math.nan, math.inf, -math.inf]),
    pos=st.integers(0, 3),
    fn=st.sampled_from(FNS),
)
def test_nan_or_inf_in_rewards_or_values_is_refused(arg, bad, pos, fn):
    assume(_uses(fn, arg))
    x = GOOD[arg].copy()
    x[pos] = bad
    _raises(fn, arg, **{arg: x})


@SETTINGS
@given(bad=st.sampled_from([math.nan, math.inf, -math.inf]), pos=st.sampled_from([0, 1, 3]), fn=st.sampled_from(FNS))
def test_nan_in_next_values_where_used_is_refused(bad, pos, fn):
    x = GOOD["next_values"].copy()  # GOOD terminates at step 2 only; steps 0, 1, 3 bootstrap
    x[pos] = bad
    _raises(fn, "next_values", next_values=x)


@SETTINGS
@given(
    arg=st.sampled_from(["terminated", "truncated"]),
    bad=st.one_of(st.integers(2, 10**9), st.integers(-(10**9), -1)),
    pos=st.integers(0, 3),
    fn=st.sampled_from(FNS),
)
def test_integer_flags_other_than_zero_and_one_are_refused(arg, bad, pos, fn):
    x = GOOD[arg].astype(np.int64)
    x[pos] = bad
    _raises(fn, arg, **{arg: x})


@pytest.mark.parametrize("fn", FNS)
@pytest.mark.parametrize("arg", ["terminated", "truncated"])
@pytest.mark.parametrize(
    "make", [lambda f: f.astype(float), lambda f: f.astype(np.float32), lambda f: f.astype(str), lambda f: f.astype(object)]
)
def test_float_and_other_non_boolean_flags_are_refused(fn, arg, make):
    _raises(fn, arg, **{arg: make(GOOD[arg])})


# ---------------------------------------------------------------------------
# split_values
# ---------------------------------------------------------------------------


@SETTINGS
@given(T=st.integers(1, 10), N=st.integers(0, 3), seed=st.integers(0, 2**32 - 1))
def test_split_values_gives_first_T_and_last_T(T, N, seed):
    rng = np.random.default_rng(seed)
    vb = rng.normal(size=(T + 1,) if N == 0 else (T + 1, N))
    v, nv = split_values(vb)
    assert v.shape == nv.shape == (T,) + vb.shape[1:]
    np.testing.assert_array_equal(v, vb[:-1])
    np.testing.assert_array_equal(nv, vb[1:])
    np.testing.assert_array_equal(nv[:-1], v[1:])  # inside one episode next_values[t] == values[t+1]


def test_split_values_keeps_float32_and_converts_integers():
    v, nv = split_values(np.arange(4, dtype=np.float32))
    assert v.dtype == nv.dtype == np.float32
    v, nv = split_values(np.arange(4))
    assert v.dtype == nv.dtype == np.float64


@SETTINGS
@given(T=st.integers(1, 10), gamma=unit, lam=unit, seed=st.integers(0, 2**32 - 1))
def test_split_values_feeds_gae_for_one_episode(T, gamma, lam, seed):
    rng = np.random.default_rng(seed)
    r, vb = rng.normal(size=T), rng.normal(size=T + 1)
    v, nv = split_values(vb)
    no = np.zeros(T, bool)
    adv, _ = gae(r, v, nv, no, no, gamma=gamma, lam=lam)
    delta = r + gamma * vb[1:] - vb[:-1]
    expected = [sum((gamma * lam) ** l * delta[t + l] for l in range(T - t)) for t in range(T)]
    close(adv, expected)


@pytest.mark.parametrize(
    "bad", [np.zeros(1), np.zeros(0), np.float64(1.0), np.zeros((1, 3)), np.zeros((3, 2, 2)), np.ones(3, bool),
            np.array(["a", "b"])]
)
def test_split_values_refuses_bad_input(bad):
    with pytest.raises(ValueError, match="^values_with_bootstrap"):
        split_values(bad)
