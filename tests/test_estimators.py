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


# ---------------------------------------------------------------------------
# The shared backward kernel (chapter 15): every method, every shape
# ---------------------------------------------------------------------------

from gaebook import _scan  # noqa: E402

#: the kernel methods this environment can run ("numba" needs the optional numba; CI installs it)
KERNEL_METHODS = list(_scan.available_methods())
from gaebook.gae import gae_reference  # noqa: E402


def abs_scan(a, b):
    """S_t = |b_t| + |a_t| S_{t+1}: the scale every rounding error of x_t is measured against."""
    return _scan.backward_loop(np.abs(a).astype(np.float64), np.abs(b).astype(np.float64))


def _kernel_case(seed, T, N, constant, dtype=np.float64, p_cut=0.05):
    rng = np.random.default_rng(seed)
    b = (rng.normal(size=(T, N)) * 3).astype(dtype)
    keep = rng.random((T, N)) >= p_cut
    c = float(rng.choice([0.0, 0.5, 0.9405, 0.999, 1.0]))
    a = np.where(keep, c, 0.0) if constant else np.where(keep, rng.random((T, N)), 0.0)
    return a.astype(dtype), b, c, keep


@SETTINGS
@given(
    seed=st.integers(0, 2**32 - 1),
    T=st.integers(1, 400),
    N=st.integers(1, 4),
    constant=st.booleans(),
    p_cut=st.sampled_from([0.0, 0.01, 0.2, 1.0]),
)
def test_every_kernel_method_solves_the_backward_recursion(seed, T, N, constant, p_cut):
    """loop and lfilter give the reference numbers bit for bit; blocked and scan within
    1e-13 S_t (S_t the recursion on |a|, |b|), far above their O((sqrt T + log T) u S_t) rounding."""
    a, b, c, keep = _kernel_case(seed, T, N, constant, p_cut=p_cut)
    b_before = b.copy()
    ref = _scan.backward_loop(a, b)
    tol = 1e-13 * abs_scan(a, b)
    for method in KERNEL_METHODS:
        if method == "lfilter" and not constant:
            continue
        got = (_scan.backward_affine(None, b, c=c, keep=keep, method=method) if constant
               else _scan.backward_affine(a, b, method=method))
        assert got.shape == b.shape and got.dtype == b.dtype
        if method in ("loop", "lfilter"):
            np.testing.assert_array_equal(got, ref, err_msg=method)
        else:
            assert np.all(np.abs(got - ref) <= tol), method
    for block in (2, 3, 7, 64):  # the blocked method's own edge cases: partial tail, K = 0 or 1
        assert np.all(np.abs(_scan._blocked(a, b, block=block) - ref) <= tol)
    np.testing.assert_array_equal(b, b_before)


def test_segmented_lfilter_with_many_stretches_is_bitwise_the_loop():
    """Hundreds of stretches of every length, grouped and padded: still the loop's numbers exactly."""
    a, b, c, keep = _kernel_case(7, 3000, 5, True, p_cut=0.03)
    c = 0.99 * 0.95
    ref = _scan.backward_loop(np.where(keep, c, 0.0), b)
    np.testing.assert_array_equal(_scan._lfilter_segments(c, keep, b), ref)
    np.testing.assert_array_equal(_scan._lfilter_segments(c, keep, b.astype(np.float32)),
                                  _scan.backward_loop(np.where(keep, np.float32(c), 0).astype(np.float32),
                                                      b.astype(np.float32)))


@pytest.mark.parametrize("method", KERNEL_METHODS)
def test_float32_accumulates_in_float32_within_its_rounding_bound(method):
    """Float32 in, float32 out, and the error against exact float64 is below 4 (H + 2) u S_t with
    u = 2^-24 and H = 1/(1 - c) the effective horizon: the standard bound for a recursion of
    H significant terms, each step costing one rounding in the product and one in the sum."""
    a64, b64, _, keep = _kernel_case(3, 5000, 3, True, p_cut=0.01)
    c = 0.99 * 0.95
    a64 = np.where(keep, c, 0.0)
    a32, b32 = a64.astype(np.float32), b64.astype(np.float32)
    exact = _scan.backward_loop(a32.astype(np.float64), b32.astype(np.float64))
    got = (_scan.backward_affine(None, b32, c=c, keep=keep, method=method) if method == "lfilter"
           else _scan.backward_affine(a32, b32, method=method))
    assert got.dtype == np.float32
    bound = 4 * (1 / (1 - c) + 2) * 2.0**-24 * abs_scan(a32, b32)
    assert np.all(np.abs(got - exact) <= bound)
    # and float32 really is the accumulator: the error is far above float64 rounding somewhere
    assert np.max(np.abs(got - exact) / abs_scan(a32, b32)) > 1e-9


def test_auto_method_follows_the_documented_rule():
    assert _scan.choose_method((2048, 2048), stretches=None) == "loop"
    assert _scan.choose_method((1, 8), stretches=None) == "loop"
    assert _scan.choose_method((40_000, 1), stretches=14) == "lfilter"
    assert _scan.choose_method((2048, 1), stretches=14) == "scan"
    assert _scan.choose_method((100, 4), stretches=None) == "scan"
    assert _scan.choose_method((2048, 64), stretches=None) == "blocked"
    with pytest.raises(ValueError, match="^method"):
        _scan.backward_affine(np.ones((3, 1)), np.ones((3, 1)), method="fast")


# ---------------------------------------------------------------------------
# Large T: the estimators against independent O(T) loops, and their cost is linear in T
# ---------------------------------------------------------------------------


def _long_rollout(T, N, seed, dtype=np.float64, p_term=1 / 200, p_trunc=1 / 500):
    rng = np.random.default_rng(seed)
    values = rng.normal(size=(T, N)) * 3
    next_values = np.empty_like(values)
    next_values[:-1] = values[1:]
    terminated = rng.random((T, N)) < p_term
    truncated = rng.random((T, N)) < p_trunc
    ends = terminated | truncated
    next_values[ends] = rng.normal(size=ends.sum())
    next_values[-1] = rng.normal(size=N)
    next_values[terminated] = np.nan
    ro = dict(rewards=rng.normal(size=(T, N)) + 1.0, values=values, next_values=next_values,
              terminated=terminated, truncated=truncated)
    return {k: (v.astype(dtype) if v.dtype.kind == "f" else v) for k, v in ro.items()}


def lambda_returns_loop(rewards, next_values, terminated, truncated, *, gamma, lam):
    """The previous library loop for the λ-return, kept here as an independent reference."""
    boot = np.where(terminated, 0.0, next_values)
    done = terminated | truncated
    T = boot.shape[0]
    out = np.empty_like(boot)
    following = boot[-1]
    for t in range(T - 1, -1, -1):
        cut = done[t] | (t == T - 1)
        tail = np.where(cut, boot[t], (1.0 - lam) * boot[t] + lam * following)
        out[t] = rewards[t] + gamma * tail
        following = out[t]
    return out


def _scale_of_returns(ro, gamma, lam):
    """The recursion on absolute values: |r| + gamma |V'| + gamma lam S_{t+1}, the rounding scale."""
    boot = np.abs(np.where(ro["terminated"], 0.0, ro["next_values"]))
    keep = ~(ro["terminated"] | ro["truncated"])
    return _scan.backward_loop(np.where(keep, gamma * lam, 0.0), np.abs(ro["rewards"]) + gamma * boot)


@pytest.mark.parametrize("T,N", [(20_000, 1), (5_000, 16), (3_000, 1100)])
@pytest.mark.parametrize("gamma,lam", [(0.99, 0.95), (1.0, 1.0), (0.9, 0.0)])
def test_estimators_at_large_T_match_the_reference_loops(T, N, gamma, lam):
    """Long rollouts, every method of the kernel in play (lfilter, scan, blocked, loop by shape):
    agreement within 1e-13 of the rounding scale S_t, bit for bit where the method allows."""
    ro = _long_rollout(T, N, seed=T + N)
    adv, ret = gae(**ro, gamma=gamma, lam=lam)
    adv_ref, ret_ref = gae_reference(**ro, gamma=gamma, lam=lam)
    scale = _scale_of_returns(dict(ro, rewards=np.abs(ro["rewards"]) + np.abs(ro["values"])), gamma, lam)
    assert np.all(np.abs(adv - adv_ref) <= 1e-13 * scale)
    np.testing.assert_array_equal(ret, adv + ro["values"])
    args = (ro["rewards"], ro["next_values"], ro["terminated"], ro["truncated"])
    lr = lambda_returns(*args, gamma=gamma, lam=lam)
    assert np.all(np.abs(lr - lambda_returns_loop(*args, gamma=gamma, lam=lam))
                  <= 1e-13 * _scale_of_returns(ro, gamma, lam) + 1e-300)
    dr = discounted_returns(*args, gamma=gamma)
    assert np.all(np.abs(dr - lambda_returns_loop(*args, gamma=gamma, lam=1.0))
                  <= 1e-13 * _scale_of_returns(ro, gamma, 1.0) + 1e-300)
    # the k-step advantage with k = 1 is the TD error, exactly
    np.testing.assert_array_equal(nstep_advantages(**ro, gamma=gamma, k=1), td_errors(**ro, gamma=gamma))


def test_gae_is_bitwise_the_reference_loop_when_lfilter_or_loop_runs():
    for T, N, p in [(40_000, 1, 1 / 4000), (600, 1100, 1 / 400)]:  # lfilter (few episodes), loop (many envs)
        ro = _long_rollout(T, N, seed=1, p_term=p, p_trunc=0)
        for dtype in (np.float64, np.float32):
            ro_d = {k: (v.astype(dtype) if v.dtype.kind == "f" else v) for k, v in ro.items()}
            adv, ret = gae(**ro_d, gamma=0.99, lam=0.95)
            adv_ref, ret_ref = gae_reference(**ro_d, gamma=0.99, lam=0.95)
            assert adv.dtype == dtype
            np.testing.assert_array_equal(adv, adv_ref)
            np.testing.assert_array_equal(ret, ret_ref)


def _best_time(fn, repeats=7):
    """Best CPU time of this thread over ``repeats`` calls: time spent preempted by other
    processes on a shared machine is not counted, so the ratio below is about the algorithm."""
    import time

    best = math.inf
    for _ in range(repeats):
        t0 = time.thread_time()
        fn()
        best = min(best, time.thread_time() - t0)
    return best


@pytest.mark.parametrize("name", ["gae", "gae_per_step_gamma", "lambda_returns", "discounted_returns",
                                  "td_errors", "nstep_advantages"])
def test_every_estimator_costs_linear_time_in_T(name):
    """Ten times the steps may cost at most 13 times the time (linear with slack; quadratic would be 100).

    A ratio of two CPU times on the same machine in the same test, each the best of 7 runs, so a
    loaded machine slows both; no absolute time is asserted."""
    gamma_t = {}

    def run(T):
        # one environment: 2e4 and 2e5 float64 steps (160 kB, 1.6 MB per array) both stay in cache;
        # with more environments the step from cache to main memory alone costs a factor 2-3
        ro = _long_rollout(T, 1, seed=5)
        args = (ro["rewards"], ro["next_values"], ro["terminated"], ro["truncated"])
        if name == "gae":
            return lambda: gae(**ro, gamma=0.99, lam=0.95)
        if name == "gae_per_step_gamma":
            gamma_t[T] = np.full((T, 1), 0.99)
            return lambda: gae(**ro, gamma=gamma_t[T], lam=0.95)
        if name == "lambda_returns":
            return lambda: lambda_returns(*args, gamma=0.99, lam=0.95)
        if name == "discounted_returns":
            return lambda: discounted_returns(*args, gamma=0.99)
        if name == "td_errors":
            return lambda: td_errors(**ro, gamma=0.99)
        return lambda: nstep_advantages(**ro, gamma=0.99, k=5)

    small, large = run(20_000), run(200_000)
    small(), large()  # warm up
    ratio = _best_time(large) / _best_time(small)
    assert ratio <= 13, f"{name}: T x 10 cost x {ratio:.1f}"


# ---------------------------------------------------------------------------
# Per-step and per-environment gamma and lambda
# ---------------------------------------------------------------------------


def gae_rlax_loop(ro, gamma_t, lam_t):
    """A_t = delta_t + gamma_t lam_t (1 - done_t) A_{t+1}, delta_t = r_t + gamma_t V'_t - V_t (rlax's order)."""
    r, v, nv = as2d(ro["rewards"]), as2d(ro["values"]), as2d(ro["next_values"])
    term, trunc = as2d(ro["terminated"]), as2d(ro["truncated"])
    out = np.zeros(r.shape)
    for i in range(r.shape[1]):
        running = 0.0
        for t in range(r.shape[0] - 1, -1, -1):
            g, lam = float(gamma_t[t, i]), float(lam_t[t, i])
            delta = r[t, i] + g * (0.0 if term[t, i] else nv[t, i]) - v[t, i]
            running = delta + (0.0 if (term[t, i] or trunc[t, i]) else g * lam * running)
            out[t, i] = running
    return _shape_like(ro, out)


@SETTINGS
@given(ro=rollouts(max_t=40), data=st.data(), per=st.sampled_from(["step", "env"]))
def test_per_step_and_per_environment_gamma_and_lam(ro, data, per):
    shape = np.shape(ro["rewards"])
    if per == "env" and len(shape) == 1:
        per = "step"
    gshape = shape if per == "step" else shape[1:]
    seed = data.draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    gamma, lam = rng.random(gshape), rng.random(gshape)
    full = [np.broadcast_to(as2d(x) if per == "step" else x, as2d(ro["rewards"]).shape) for x in (gamma, lam)]
    adv, ret = call(gae, ro, gamma=gamma, lam=lam)
    close(adv, gae_rlax_loop(ro, *full))
    adv_ref, _ = call(gae_reference, ro, gamma=gamma, lam=lam)
    close(adv, adv_ref)
    # a per-step array of one repeated value is the scalar
    g0 = float(gamma.flat[0])
    close(call(gae, ro, gamma=np.full(gshape, g0), lam=0.9)[0], call(gae, ro, gamma=g0, lam=0.9)[0])
    close(call(lambda_returns, ro, gamma=np.full(gshape, g0), lam=np.full(gshape, 0.9)),
          call(lambda_returns, ro, gamma=g0, lam=0.9), scale=10)
    close(call(td_errors, ro, gamma=gamma), call(td_errors, ro, gamma=0.0) + as_like(ro, full[0]) * np.where(
        ro["terminated"], 0.0, np.nan_to_num(ro["next_values"])))


def as_like(ro, x):
    return x[:, 0] if np.ndim(ro["rewards"]) == 1 else x


@pytest.mark.parametrize("bad,msg", [
    (np.full(3, 0.9), "shape"),            # neither [T] (4) nor the rollout's shape
    (np.full((4, 2), 0.9), "shape"),
    (np.array(0.9), "shape"),              # a 0-d array is refused like before (pass a float)
    (np.array([0.9, 0.9, np.nan, 0.9]), "lie in"),
    (np.array([0.9, 1.5, 0.9, 0.9]), "lie in"),
    (np.array([0.9, -0.1, 0.9, 0.9]), "lie in"),
    (np.array([True, False, True, True]), "real numbers"),
    ([[0.9], [0.9, 0.9]], "rectangular"),
])
@pytest.mark.parametrize("fn", FNS)
def test_bad_gamma_arrays_are_refused(fn, bad, msg):
    if fn is nstep_advantages:  # takes a number only
        msg = "real number"
    with pytest.raises(ValueError, match=f"^gamma.*{msg}"):
        call(fn, GOOD, **dict(_kw(fn), gamma=bad))


def test_per_environment_gamma_needs_a_2d_rollout():
    ro = EDGES["several environments, different boundaries"]  # [5, 3]
    call(gae, ro, gamma=np.array([0.9, 0.5, 1.0]), lam=0.9)
    call(gae, ro, gamma=np.full((5, 3), 0.9), lam=np.array([0.9, 0.5, 1.0]))
    with pytest.raises(ValueError, match="^gamma"):
        call(gae, ro, gamma=np.full(5, 0.9), lam=0.9)  # [T] is ambiguous for a [T, N] rollout
    with pytest.raises(ValueError, match="^lam"):
        call(gae, ro, gamma=0.9, lam=np.full((3, 5), 0.9))


# ---------------------------------------------------------------------------
# Validation holes (issue 15)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("fn", [gae, td_errors, nstep_advantages, gae_reference])
def test_values_none_is_a_value_error_naming_values(fn):
    with pytest.raises(ValueError, match="^values"):
        fn(GOOD["rewards"], None, GOOD["next_values"], GOOD["terminated"], GOOD["truncated"],
           **({"k": 2} if fn is nstep_advantages else {}), gamma=0.9,
           **({"lam": 0.9} if fn in (gae, gae_reference) else {}))


@pytest.mark.parametrize("arg", ["rewards", "values", "next_values", "terminated", "truncated"])
def test_ragged_lists_are_a_value_error_naming_the_argument(arg):
    ro = {k: v.tolist() for k, v in EDGES["several environments, different boundaries"].items()}
    ro[arg] = [row for row in ro[arg]]
    ro[arg][2] = ro[arg][2][:-1]  # one row shorter
    with pytest.raises(ValueError, match=f"^{arg} must be a rectangular array"):
        call(gae, ro, gamma=0.9, lam=0.9)
    with pytest.raises(ValueError, match="^values_with_bootstrap must be a rectangular"):
        split_values([[1.0, 2.0], [3.0]])


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_split_values_refuses_nan_and_inf(bad):
    vb = np.arange(5.0)
    vb[2] = bad
    with pytest.raises(ValueError, match="^values_with_bootstrap must be finite"):
        split_values(vb)
