"""Tests for gaebook.ppo: the surrogate, the heads, the diagnostics and a short training run."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gaebook import ppo
from gaebook.ppo import (
    approx_kl,
    categorical_entropy,
    categorical_log_prob,
    clip_fraction,
    clip_grad_norm,
    clipped_surrogate,
    explained_variance,
    gaussian_entropy,
    gaussian_log_prob,
    normalize_advantages,
    train,
    value_loss,
)

H = 1e-6  # central-difference step; errors O(H^2) + O(1e-16 / H) ~ 1e-10


def central_difference(f, x, h=H):
    """Gradient of the scalar f at the array x by central differences."""
    x = np.asarray(x, dtype=float)
    grad = np.empty_like(x)
    for j in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[j] = h
        grad[j] = (f(x + e) - f(x - e)) / (2 * h)
    return grad


floats = st.floats(-3, 3, allow_nan=False)


# --- the clipped surrogate ------------------------------------------------------------


def test_surrogate_value_matches_the_definition():
    logp_old = np.log(np.array([0.5, 0.5, 0.2, 0.9]))
    logp = np.log(np.array([0.7, 0.3, 0.2, 0.6]))  # rho = 1.4, 0.6, 1, 2/3
    adv = np.array([1.0, -2.0, 3.0, 0.5])
    loss, _ = clipped_surrogate(logp, logp_old, adv, clip=0.2)
    # min(1.4, 1.2) * 1, min(0.6 * -2, 0.8 * -2), 1 * 3, min(2/3 * 0.5, 0.8 * 0.5)
    expected = -np.mean([1.2, -1.6, 3.0, 1.0 / 3.0])
    assert loss == pytest.approx(expected, rel=1e-14)


def test_surrogate_gradient_is_zero_exactly_where_the_clip_bites():
    clip = 0.2
    rho = np.array([1.5, 1.5, 0.5, 0.5, 1.1, 0.9])
    adv = np.array([1.0, -1.0, 1.0, -1.0, 1.0, -1.0])
    # the clip bites for (rho > 1+eps, A > 0) and (rho < 1-eps, A < 0): entries 0 and 3
    _, grad = clipped_surrogate(np.log(rho), np.zeros(6), adv, clip=clip)
    assert grad[0] == 0.0 and grad[3] == 0.0
    np.testing.assert_allclose(grad[[1, 2, 4, 5]], -(rho * adv)[[1, 2, 4, 5]] / 6, rtol=1e-14)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(floats, floats, floats), min_size=1, max_size=8),
       st.floats(0.05, 0.5))
def test_surrogate_gradient_matches_finite_differences_away_from_kinks(rows, clip):
    logp_old, shift, adv = (np.array(c) for c in zip(*rows))
    logp = logp_old + 0.5 * shift
    rho = np.exp(logp - logp_old)
    # central differences are only valid away from the kinks rho = 1 +- clip
    kink = np.minimum(np.abs(rho - (1 + clip)), np.abs(rho - (1 - clip)))
    if np.any(kink < 1e-4):
        return
    _, grad = clipped_surrogate(logp, logp_old, adv, clip=clip)
    numeric = central_difference(
        lambda lp: clipped_surrogate(lp, logp_old, adv, clip=clip)[0], logp)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(floats, floats), min_size=1, max_size=8), st.floats(0.05, 0.9))
def test_surrogate_at_the_old_policy_is_minus_the_mean_advantage(rows, clip):
    logp_old, adv = (np.array(c) for c in zip(*rows))
    loss, grad = clipped_surrogate(logp_old, logp_old, adv, clip=clip)
    assert loss == pytest.approx(-adv.mean(), abs=1e-12)
    np.testing.assert_allclose(grad, -adv / adv.size, rtol=1e-14)  # the policy gradient


@settings(max_examples=60, deadline=None)
@given(st.floats(-4, 4), st.floats(-5, 5), st.floats(0.01, 0.99))
def test_clipped_objective_is_a_lower_bound_of_the_unclipped_one(log_rho, adv, clip):
    loss, _ = clipped_surrogate(np.array([log_rho]), np.zeros(1), np.array([adv]), clip=clip)
    assert -loss <= math.exp(log_rho) * adv + 1e-12


# --- value loss ------------------------------------------------------------------------


def test_plain_value_loss_and_gradient():
    rng = np.random.default_rng(0)
    v, r = rng.normal(size=5), rng.normal(size=5)
    loss, grad = value_loss(v, r)
    assert loss == pytest.approx(0.5 * np.mean((v - r) ** 2), rel=1e-14)
    np.testing.assert_allclose(grad, central_difference(lambda x: value_loss(x, r)[0], v),
                               rtol=1e-6, atol=1e-10)


def test_clipped_value_loss_gradient_matches_finite_differences():
    rng = np.random.default_rng(1)
    old = rng.normal(size=12)
    v = old + rng.uniform(-0.6, 0.6, size=12)
    r = rng.normal(size=12)
    loss, grad = value_loss(v, r, old_values=old, clip=0.2)
    vc = old + np.clip(v - old, -0.2, 0.2)
    assert loss == pytest.approx(0.5 * np.mean(np.maximum((v - r) ** 2, (vc - r) ** 2)), rel=1e-14)
    f = lambda x: value_loss(x, r, old_values=old, clip=0.2)[0]  # noqa: E731
    np.testing.assert_allclose(grad, central_difference(f, v), rtol=1e-6, atol=1e-9)


# --- policy heads --------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 4), st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_categorical_log_prob_gradient_matches_finite_differences(batch, k, seed):
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(batch, k)) * 2
    actions = rng.integers(0, k, size=batch)
    w = rng.normal(size=batch)  # a weighted sum reaches every row
    logp, grad = categorical_log_prob(logits, actions)
    assert np.all(logp <= 0) and (k > 1 or np.all(logp == 0))
    numeric = central_difference(lambda z: w @ categorical_log_prob(z, actions)[0], logits)
    np.testing.assert_allclose(w[:, None] * grad, numeric, rtol=1e-6, atol=1e-9)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 4), st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_categorical_entropy_and_gradient(batch, k, seed):
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(batch, k)) * 2
    w = rng.normal(size=batch)
    h, grad = categorical_entropy(logits)
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(h, -(p * np.log(p)).sum(axis=1), rtol=1e-10, atol=1e-14)
    assert np.all(h <= np.log(k) + 1e-12) and np.all(h >= -1e-12)
    numeric = central_difference(lambda z: w @ categorical_entropy(z)[0], logits)
    np.testing.assert_allclose(w[:, None] * grad, numeric, rtol=1e-6, atol=1e-9)


def test_categorical_log_prob_is_stable_for_large_logits():
    logp, _ = categorical_log_prob(np.array([[1000.0, 0.0]]), np.array([1]))
    assert logp[0] == pytest.approx(-1000.0)


def test_gaussian_log_prob_matches_scipy_and_finite_differences():
    from scipy.stats import norm

    rng = np.random.default_rng(3)
    mean, log_std, a = rng.normal(size=(4, 2)), rng.normal(size=2) * 0.5, rng.normal(size=(4, 2))
    logp, dmean, dlogstd = gaussian_log_prob(mean, log_std, a)
    np.testing.assert_allclose(logp, norm.logpdf(a, mean, np.exp(log_std)).sum(axis=1), rtol=1e-12)
    w = rng.normal(size=4)
    num_mean = central_difference(lambda m: w @ gaussian_log_prob(m, log_std, a)[0], mean)
    np.testing.assert_allclose(w[:, None] * dmean, num_mean, rtol=1e-6, atol=1e-9)
    num_ls = central_difference(lambda s: w @ gaussian_log_prob(mean, s, a)[0], log_std)
    np.testing.assert_allclose((w[:, None] * dlogstd).sum(axis=0), num_ls, rtol=1e-6, atol=1e-9)


def test_gaussian_entropy_matches_scipy():
    from scipy.stats import norm

    log_std = np.array([-0.3, 0.7])
    h, grad = gaussian_entropy(log_std)
    assert h == pytest.approx(norm(scale=np.exp(log_std)).entropy().sum(), rel=1e-12)
    np.testing.assert_array_equal(grad, np.ones(2))


# --- diagnostics -----------------------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(floats, floats), min_size=1, max_size=10))
def test_k3_is_never_negative(rows):
    logp, logp_old = (np.array(c) for c in zip(*rows))
    _, k3 = approx_kl(logp, logp_old)
    assert k3 >= 0.0


def test_k1_and_k3_are_unbiased_for_the_kl_of_two_categoricals():
    rng = np.random.default_rng(4)
    p_old, p_new = np.array([0.5, 0.3, 0.2]), np.array([0.4, 0.4, 0.2])
    kl = float(np.sum(p_old * np.log(p_old / p_new)))
    a = rng.choice(3, size=200_000, p=p_old)
    log_ratio = np.log(p_new[a]) - np.log(p_old[a])
    k1, k3 = approx_kl(np.log(p_new[a]), np.log(p_old[a]))
    se1 = (-log_ratio).std() / np.sqrt(a.size)
    se3 = (np.expm1(log_ratio) - log_ratio).std() / np.sqrt(a.size)
    assert abs(k1 - kl) < 5 * se1 and abs(k3 - kl) < 5 * se3  # 5 standard errors


def test_clip_fraction_counts_ratios_outside_the_trust_region():
    rho = np.array([1.0, 1.3, 0.7, 1.1, 0.85])
    assert clip_fraction(np.log(rho), np.zeros(5), clip=0.2) == pytest.approx(0.4)


def test_explained_variance_of_perfect_constant_and_worse_critics():
    r = np.array([1.0, 2.0, 4.0, 7.0])
    assert explained_variance(r, r) == 1.0
    assert explained_variance(np.full(4, 3.0), r) == pytest.approx(0.0)
    assert explained_variance(-r, r) < 0
    assert math.isnan(explained_variance(np.zeros(3), np.ones(3)))


def test_normalized_advantages_have_mean_zero_and_unit_std():
    a = normalize_advantages(np.array([1.0, 2.0, 6.0, -3.0]))
    assert a.mean() == pytest.approx(0.0, abs=1e-15)
    assert a.std() == pytest.approx(1.0, rel=1e-7)
    np.testing.assert_array_equal(normalize_advantages(np.array([5.0])), [0.0])


def test_clip_grad_norm_rescales_only_long_gradients():
    g = np.array([3.0, 4.0])
    clipped, norm = clip_grad_norm(g, max_norm=1.0)
    assert norm == 5.0
    np.testing.assert_allclose(clipped, [0.6, 0.8])
    same, _ = clip_grad_norm(g, max_norm=10.0)
    np.testing.assert_array_equal(same, g)
    assert same is not g


# --- validation and purity -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: clipped_surrogate(np.zeros(2), np.zeros(3), np.zeros(2), clip=0.2), "logp_old"),
        (lambda: clipped_surrogate(np.zeros((2, 2)), np.zeros(2), np.zeros(2), clip=0.2), "logp"),
        (lambda: clipped_surrogate(np.zeros(2), np.zeros(2), [np.nan, 0], clip=0.2), "advantages"),
        (lambda: clipped_surrogate(np.zeros(2), np.zeros(2), np.zeros(2), clip=1.0), "clip"),
        (lambda: clipped_surrogate(np.zeros(2), np.zeros(2), np.zeros(2), clip=0.0), "clip"),
        (lambda: clipped_surrogate(np.zeros(0), np.zeros(0), np.zeros(0), clip=0.2), "logp"),
        (lambda: clipped_surrogate([True, False], np.zeros(2), np.zeros(2), clip=0.2), "logp"),
        (lambda: value_loss(np.zeros(2), np.zeros(3)), "returns"),
        (lambda: value_loss(np.zeros(2), np.zeros(2), clip=0.2), "old_values"),
        (lambda: value_loss(np.zeros(2), np.zeros(2), old_values=np.zeros(2), clip=-1), "clip"),
        (lambda: categorical_log_prob(np.zeros((2, 3)), np.array([0, 3])), "actions"),
        (lambda: categorical_log_prob(np.zeros((2, 3)), np.array([0.0, 1.0])), "actions"),
        (lambda: categorical_log_prob(np.zeros(3), np.array([0])), "logits"),
        (lambda: categorical_entropy(np.array([[np.inf, 0.0]])), "logits"),
        (lambda: gaussian_log_prob(np.zeros((2, 2)), np.zeros(3), np.zeros((2, 2))), "log_std"),
        (lambda: gaussian_log_prob(np.zeros((2, 2)), np.zeros(2), np.zeros((2, 3))), "actions"),
        (lambda: gaussian_entropy(np.zeros((1, 1, 1))), "log_std"),
        (lambda: normalize_advantages(np.zeros(3), eps=0), "eps"),
        (lambda: approx_kl(np.zeros(2), np.zeros(1)), "logp_old"),
        (lambda: clip_fraction(np.zeros(2), np.zeros(2), clip=-0.1), "clip"),
        (lambda: explained_variance(np.zeros(2), np.zeros(3)), "returns"),
        (lambda: clip_grad_norm(np.zeros(2), max_norm=0), "max_norm"),
        (lambda: train("CartPole-v1", seed=-1, lam=0.95), "seed"),
        (lambda: train("CartPole-v1", seed=0, lam=1.5), "lam"),
        (lambda: train("CartPole-v1", seed=0, lam=0.9, gamma=-0.1), "gamma"),
        (lambda: train("CartPole-v1", seed=0, lam=0.9, total_steps=0), "total_steps"),
        (lambda: train("CartPole-v1", seed=0, lam=0.9, num_minibatches=3), "num_minibatches"),
        (lambda: train("CartPole-v1", seed=0, lam=0.9, max_episode_steps=0), "max_episode_steps"),
        (lambda: train("CartPole-v1", seed=0, lam=0.9, bootstrap_truncation="yes"), "bootstrap_truncation"),
        (lambda: train("Pendulum-v1", seed=0, lam=0.9, total_steps=8), "env_id"),
        (lambda: train(7, seed=0, lam=0.9), "env_id"),
    ],
)
def test_public_functions_name_the_bad_argument(call, name):
    with pytest.raises(ValueError, match=f"^{name}"):
        call()


def test_no_public_function_mutates_its_inputs():
    rng = np.random.default_rng(5)
    logp, logp_old, adv = rng.normal(size=6), rng.normal(size=6), rng.normal(size=6)
    logits, actions = rng.normal(size=(6, 3)), rng.integers(0, 3, size=6)
    v, r, old = rng.normal(size=6), rng.normal(size=6), rng.normal(size=6)
    g = rng.normal(size=6) * 10
    arrays = [logp, logp_old, adv, logits, actions, v, r, old, g]
    copies = [a.copy() for a in arrays]
    clipped_surrogate(logp, logp_old, adv, clip=0.2)
    value_loss(v, r, old_values=old, clip=0.1)
    categorical_log_prob(logits, actions)
    categorical_entropy(logits)
    gaussian_log_prob(logits[:, :2], logp[:2], logits[:, 1:])
    normalize_advantages(adv)
    approx_kl(logp, logp_old)
    clip_fraction(logp, logp_old, clip=0.2)
    explained_variance(v, r)
    clip_grad_norm(g, max_norm=1.0)
    for before, after in zip(copies, arrays):
        assert np.array_equal(before, after)


# --- training ----------------------------------------------------------------------------------------

SHORT = dict(lam=0.95, total_steps=2048, num_envs=4, num_steps=64, epochs=2, num_minibatches=2,
             max_episode_steps=60)


@pytest.fixture(scope="module")
def short_run():
    return train("CartPole-v1", seed=3, **SHORT)


def test_train_is_deterministic_for_a_seed(short_run):
    again = train("CartPole-v1", seed=3, **SHORT)
    np.testing.assert_array_equal(short_run.episode_returns, again.episode_returns)
    for key, values in short_run.diagnostics.items():
        np.testing.assert_array_equal(values, again.diagnostics[key], err_msg=key)
    np.testing.assert_array_equal(short_run.policy_params, again.policy_params)


def test_train_result_follows_the_contract(short_run):
    er = short_run.episode_returns
    assert er.dtype == np.float64 and er.ndim == 2 and er.shape[1] == 2 and len(er) > 0
    assert np.all(np.diff(er[:, 0]) >= 0)  # in the order the episodes completed
    assert np.all(er[:, 1] >= 1) and np.all(er[:, 1] <= 60)  # max_episode_steps overrides 500
    assert np.all(er[:, 0] % 4 == 0)  # global_step counts steps over all four environments
    n_updates = 2048 // (4 * 64)
    for key in ("approx_kl_k1", "approx_kl_k3", "clip_fraction", "explained_variance",
                "policy_loss", "value_loss", "entropy", "global_step"):
        assert short_run.diagnostics[key].shape == (n_updates,), key
    np.testing.assert_array_equal(short_run.diagnostics["global_step"],
                                  256 * np.arange(1, n_updates + 1))
    assert np.all(short_run.diagnostics["approx_kl_k3"] >= 0)


def test_ratio_is_exactly_one_on_the_first_minibatch(short_run):
    assert np.all(short_run.diagnostics["ratio_deviation_first_minibatch"] == 0.0)


def test_bootstrap_truncation_changes_the_run_when_episodes_are_cut():
    kw = dict(SHORT, total_steps=512, max_episode_steps=20)
    a = train("CartPole-v1", seed=1, bootstrap_truncation=True, **kw)
    b = train("CartPole-v1", seed=1, bootstrap_truncation=False, **kw)
    assert not np.array_equal(a.policy_params, b.policy_params)


def test_train_result_pickles_and_train_runs_in_a_worker_process():
    import pickle
    from concurrent.futures import ProcessPoolExecutor

    kw = dict(SHORT, total_steps=256)
    with ProcessPoolExecutor(max_workers=1) as pool:
        remote = pool.submit(train, "CartPole-v1", seed=2, **kw).result()
    local = train("CartPole-v1", seed=2, **kw)
    np.testing.assert_array_equal(remote.episode_returns, local.episode_returns)
    again = pickle.loads(pickle.dumps(local))
    np.testing.assert_array_equal(again.policy_params, local.policy_params)
    assert again.policy_net == local.policy_net


# --- the optimiser pieces train uses ------------------------------------------------------------


def test_in_place_adam_step_equals_adam_direction():
    from gaebook.optim import _adam_step_inplace, adam_direction

    rng = np.random.default_rng(6)
    p1 = rng.normal(size=7)
    p2, m1, v1 = p1.copy(), np.zeros(7), np.zeros(7)
    m2, v2 = m1.copy(), v1.copy()
    for step in range(1, 30):
        g = rng.normal(size=7)
        delta, m1, v1 = adam_direction(g, m1, v1, step, lr=1e-3, eps=1e-5)
        p1 = p1 - delta
        _adam_step_inplace(p2, g, m2, v2, step, 1e-3, eps=1e-5)
    np.testing.assert_allclose(p2, p1, rtol=0, atol=1e-15)
    np.testing.assert_allclose(m2, m1, rtol=1e-15)
    np.testing.assert_allclose(v2, v1, rtol=1e-15)


def test_linear_annealing_starts_at_the_initial_value_and_heads_to_zero():
    from gaebook.optim import linear_annealing

    values = [linear_annealing(1e-3, u, 4) for u in range(4)]
    np.testing.assert_allclose(values, [1e-3, 7.5e-4, 5e-4, 2.5e-4], rtol=1e-15)
    for bad, name in [(dict(initial=0.0, update=0, num_updates=4), "initial"),
                      (dict(initial=1.0, update=4, num_updates=4), "update"),
                      (dict(initial=1.0, update=0, num_updates=0), "num_updates")]:
        with pytest.raises(ValueError, match=f"^{name}"):
            linear_annealing(**bad)
