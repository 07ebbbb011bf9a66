"""Token-level advantages (chapter 14): GAE over padded rows, group baselines, and the padding pitfalls."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gaebook
from gaebook.tokens import group_advantages, masked_whiten, token_gae, token_rewards


@st.composite
def padded_batches(draw):
    """A right-padded batch: rewards, values (NaN or junk on pads), mask, lam, gamma."""
    B = draw(st.integers(1, 5))
    L = draw(st.integers(1, 7))
    lengths = np.array(draw(st.lists(st.integers(1, L), min_size=B, max_size=B)))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    mask = np.arange(L)[None, :] < lengths[:, None]
    rewards = rng.normal(size=(B, L))
    values = rng.normal(size=(B, L))
    junk = draw(st.sampled_from(["nan", "inf", "large", "zero"]))
    fill = {"nan": np.nan, "inf": np.inf, "large": 1e6, "zero": 0.0}[junk]
    rewards[~mask] = fill
    values[~mask] = fill
    lam = draw(st.floats(0.0, 1.0))
    gamma = draw(st.floats(0.0, 1.0))
    return rewards, values, mask, lam, gamma


def flattened_gae(rewards, values, mask, *, gamma, lam):
    """The book's gae on the rows' real tokens laid end to end, terminated at each row's end."""
    r, v, term, where = [], [], [], []
    for b in range(mask.shape[0]):
        n = int(mask[b].sum())
        r.extend(rewards[b, :n]), v.extend(values[b, :n])
        term.extend([False] * (n - 1) + [True]), where.extend((b, t) for t in range(n))
    r, v, term = np.array(r), np.array(v), np.array(term)
    next_v = np.append(v[1:], np.nan)
    next_v[term] = np.nan
    adv, ret = gaebook.gae(r, v, next_v, term, np.zeros_like(term), gamma=gamma, lam=lam)
    out_a, out_r = np.zeros(mask.shape), np.zeros(mask.shape)
    for (b, t), a, g in zip(where, adv, ret):
        out_a[b, t], out_r[b, t] = a, g
    return out_a, out_r


@settings(max_examples=200, deadline=None)
@given(padded_batches())
def test_token_gae_equals_gae_on_the_flattened_rollout(batch):
    rewards, values, mask, lam, gamma = batch
    adv, ret = token_gae(rewards, values, mask, gamma=gamma, lam=lam)
    exp_a, exp_r = flattened_gae(rewards, values, mask, gamma=gamma, lam=lam)
    np.testing.assert_allclose(adv, exp_a, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(ret, exp_r, rtol=1e-10, atol=1e-10)


@settings(max_examples=200, deadline=None)
@given(padded_batches(), st.integers(0, 2**32 - 1))
def test_pads_never_influence_real_tokens(batch, seed):
    rewards, values, mask, lam, gamma = batch
    adv, ret = token_gae(rewards, values, mask, gamma=gamma, lam=lam)
    rng = np.random.default_rng(seed)
    r2, v2 = rewards.copy(), values.copy()
    r2[~mask] = rng.choice([np.nan, -np.inf, 7.0], size=(~mask).sum())
    v2[~mask] = rng.choice([np.nan, np.inf, -3.0], size=(~mask).sum())
    adv2, ret2 = token_gae(r2, v2, mask, gamma=gamma, lam=lam)
    np.testing.assert_array_equal(adv, adv2)
    np.testing.assert_array_equal(ret, ret2)
    assert np.all(adv[~mask] == 0) and np.all(ret[~mask] == 0)


@settings(max_examples=100, deadline=None)
@given(padded_batches())
def test_inputs_are_not_mutated(batch):
    rewards, values, mask, lam, gamma = batch
    copies = [x.copy() for x in (rewards, values, mask)]
    token_gae(rewards, values, mask, gamma=gamma, lam=lam)
    masked_whiten(values, mask)
    scores = np.nan_to_num(values[:, 0])
    s_copy = scores.copy()
    token_rewards(scores, rewards, values, mask, kl_coef=0.1)
    for x, c in zip((rewards, values, mask), copies):
        np.testing.assert_array_equal(x, c)
    np.testing.assert_array_equal(scores, s_copy)


@settings(max_examples=100, deadline=None)
@given(padded_batches(), st.floats(0.0, 2.0))
def test_token_rewards_are_kl_penalty_plus_score_on_the_last_real_token(batch, beta):
    logp, logp_ref, mask, _, _ = batch
    scores = np.arange(mask.shape[0], dtype=float) + 1.0
    r = token_rewards(scores, logp, logp_ref, mask, kl_coef=beta)
    n = mask.sum(axis=1)
    for b in range(mask.shape[0]):
        kl = -beta * (logp[b, : n[b]] - logp_ref[b, : n[b]])
        kl[-1] += scores[b]
        np.testing.assert_allclose(r[b, : n[b]], kl, rtol=1e-12, atol=1e-12)
        assert np.all(r[b, n[b]:] == 0)


@settings(max_examples=100, deadline=None)
@given(st.integers(2, 6), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_group_advantages_match_their_definitions(G, n_groups, seed):
    r = np.random.default_rng(seed).normal(size=G * n_groups)
    for g in range(n_groups):
        grp = r[g * G:(g + 1) * G]
        loo = np.array([grp[i] - np.delete(grp, i).mean() for i in range(G)])
        sl = slice(g * G, (g + 1) * G)
        np.testing.assert_allclose(group_advantages(r, group_size=G, method="rloo")[sl], loo,
                                   atol=1e-12)
        np.testing.assert_allclose(group_advantages(r, group_size=G, method="dr_grpo")[sl],
                                   grp - grp.mean(), atol=1e-12)
        grpo = (grp - grp.mean()) / (grp.std(ddof=1) + 1e-4)
        np.testing.assert_allclose(group_advantages(r, group_size=G, method="grpo")[sl], grpo,
                                   atol=1e-12)


@pytest.mark.parametrize("method", ["grpo", "dr_grpo", "rloo"])
def test_group_advantages_do_not_mutate_and_keep_float32(method):
    scores = np.array([0.1, 0.7, 0.3, 0.3], dtype=np.float32)
    copy = scores.copy()
    out = group_advantages(scores, group_size=2, method=method)
    np.testing.assert_array_equal(scores, copy)
    assert out.dtype == np.float32


def test_grpo_gives_zero_to_a_group_with_equal_scores():
    a = group_advantages(np.ones(4), group_size=4, method="grpo")
    assert np.all(a == 0)


def test_masked_whiten_equals_whitening_the_real_entries():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 6))
    mask = np.arange(6)[None, :] < np.array([6, 2, 4, 1])[:, None]
    x[~mask] = np.nan
    real = x[mask]
    expected = (real - real.mean()) / np.sqrt(real.var() + 1e-8)
    out = masked_whiten(x, mask)
    np.testing.assert_allclose(out[mask], expected, rtol=1e-12)
    assert np.all(out[~mask] == 0)


# ---- validation: every error names its argument -------------------------------------------


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda m: token_gae(np.zeros((2, 3)), np.zeros((2, 3)), m, lam=1.5), "lam"),
        (lambda m: token_gae(np.zeros((2, 3)), np.zeros((2, 3)), m, gamma=-1, lam=0.5), "gamma"),
        (lambda m: token_gae(np.zeros((2, 4)), np.zeros((2, 3)), m, lam=0.5), "rewards"),
        (lambda m: token_gae(np.zeros((2, 3)), np.full((2, 3), np.nan), m, lam=0.5), "values"),
        (lambda m: token_gae(np.zeros((2, 3)), np.zeros((2, 3)), m[:, ::-1], lam=0.5),
         "response_mask"),
        (lambda m: token_gae(np.zeros((2, 3)), np.zeros((2, 3)), m * 0.5, lam=0.5),
         "response_mask"),
        (lambda m: token_rewards(np.zeros(3), np.zeros((2, 3)), np.zeros((2, 3)), m, kl_coef=0.1),
         "scores"),
        (lambda m: token_rewards(np.zeros(2), np.zeros((2, 3)), np.zeros((2, 3)), m, kl_coef=-1),
         "kl_coef"),
        (lambda m: token_rewards(np.zeros(2), np.zeros((2, 3)), np.zeros((3, 3)), m, kl_coef=0.1),
         "logp_ref"),
        (lambda m: group_advantages(np.zeros(5), group_size=2, method="rloo"), "group_size"),
        (lambda m: group_advantages(np.zeros(4), group_size=1, method="rloo"), "group_size"),
        (lambda m: group_advantages(np.zeros(4), group_size=2, method="ppo"), "method"),
        (lambda m: group_advantages(np.array([1.0, np.nan]), group_size=2, method="rloo"),
         "scores"),
        (lambda m: masked_whiten(np.zeros((2, 3)), np.zeros((2, 3), dtype=bool)), "mask"),
        (lambda m: masked_whiten(np.zeros((2, 2)), m), "x"),
    ],
)
def test_invalid_arguments_raise_value_error_naming_the_argument(call, name):
    mask = np.array([[True, True, False], [True, False, False]])
    with pytest.raises(ValueError, match=f"^{name}"):
        call(mask)


def test_float32_stays_float32():
    mask = np.array([[True, True, False]])
    adv, ret = token_gae(np.ones((1, 3), np.float32), np.ones((1, 3), np.float32), mask, lam=0.9)
    assert adv.dtype == np.float32 and ret.dtype == np.float32


# ---- the padding pitfalls: the wrong version differs, the right one agrees ------------------


def _two_rows():
    """Two responses of lengths 3 and 1 in a [2, 4] batch, values junk on pads."""
    mask = np.array([[True, True, True, False], [True, False, False, False]])
    logp = np.array([[-1.0, -0.5, -0.2, 0.0], [-0.7, 0.0, 0.0, 0.0]])
    logp_ref = np.array([[-1.2, -0.4, -0.6, 0.0], [-0.9, 0.0, 0.0, 0.0]])
    values = np.array([[0.3, 0.5, 0.8, 0.9], [0.4, 0.6, 0.2, 0.1]])  # a critic's head runs on pads
    return np.array([1.0, -1.0]), logp, logp_ref, values, mask


def test_pitfall_score_on_the_first_pad_is_lost():
    scores, logp, logp_ref, values, mask = _two_rows()
    right = token_rewards(scores, logp, logp_ref, mask, kl_coef=0.1)
    wrong = np.where(mask, -0.1 * (logp - logp_ref), 0.0)
    rows, n = np.arange(2), mask.sum(axis=1)
    wrong[rows, n] += scores  # one slot too far: on the first pad ...
    wrong = np.where(mask, wrong, 0.0)  # ... which the mask then removes
    adv_right, _ = token_gae(right, values, mask, lam=0.95)
    adv_wrong, _ = token_gae(wrong, values, mask, lam=0.95)
    assert abs(right.sum() - wrong.sum() - scores.sum()) < 1e-12  # the scores vanished
    assert not np.allclose(adv_right, adv_wrong)
    exp, _ = flattened_gae(right, values, mask, gamma=1.0, lam=0.95)
    np.testing.assert_allclose(adv_right, exp, atol=1e-12)


def test_pitfall_pad_values_leak_when_not_masked():
    scores, logp, logp_ref, values, mask = _two_rows()
    r = token_rewards(scores, logp, logp_ref, mask, kl_coef=0.1)
    # wrong: GAE over the full row, the pad's value bootstraps the last real token
    nv = np.concatenate([values[:, 1:], np.zeros((2, 1))], axis=1)
    delta = r + nv - values
    wrong = np.zeros_like(delta)
    run = np.zeros(2)
    for t in range(3, -1, -1):
        run = delta[:, t] + 0.95 * run
        wrong[:, t] = run
    right, _ = token_gae(r, values, mask, lam=0.95)
    assert not np.allclose(wrong[mask], right[mask])
    # the right one does not move when the pad values change
    v2 = values.copy()
    v2[~mask] = np.nan
    np.testing.assert_array_equal(token_gae(r, v2, mask, lam=0.95)[0], right)


def test_pitfall_whitening_over_pads():
    scores, logp, logp_ref, values, mask = _two_rows()
    r = token_rewards(scores, logp, logp_ref, mask, kl_coef=0.1)
    adv, _ = token_gae(r, values, mask, lam=0.95)
    wrong = (adv - adv.mean()) / np.sqrt(adv.var() + 1e-8)  # the zeros on pads join the stats
    right = masked_whiten(adv, mask)
    assert not np.allclose(wrong[mask], right[mask])
    real = adv[mask]
    np.testing.assert_allclose(right[mask], (real - real.mean()) / np.sqrt(real.var() + 1e-8))


def test_pitfall_end_token_treated_as_truncation():
    scores, logp, logp_ref, values, mask = _two_rows()
    r = token_rewards(scores, logp, logp_ref, mask, kl_coef=0.1)
    right, _ = token_gae(r, values, mask, lam=0.95)
    # wrong: the flattened rollout with truncated (not terminated) ends bootstraps from a pad
    ro_r, ro_v, nv, trunc = [], [], [], []
    for b in range(2):
        n = int(mask[b].sum())
        ro_r += list(r[b, :n])
        ro_v += list(values[b, :n])
        nv += list(values[b, 1:n + 1])
        trunc += [False] * (n - 1) + [True]
    trunc = np.array(trunc)
    wrong, _ = gaebook.gae(np.array(ro_r), np.array(ro_v), np.array(nv), np.zeros_like(trunc),
                           trunc, gamma=1.0, lam=0.95)
    assert not np.allclose(wrong, right[mask])
    exp, _ = flattened_gae(r, values, mask, gamma=1.0, lam=0.95)
    np.testing.assert_allclose(right, exp, atol=1e-12)
