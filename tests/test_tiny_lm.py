"""The enumerable tiny language model (chapter 14): exact objective, gradient and estimator moments."""

import numpy as np
import pytest

from gaebook import tiny_lm as tl
from gaebook.tokens import group_advantages

LM = tl.TinyLM()
THETA = np.random.default_rng(0).normal(scale=0.7, size=LM.theta_shape)


def test_every_response_is_enumerated_once_and_probabilities_sum_to_one():
    tokens, mask = tl.enumerate_responses(LM)
    assert len(tokens) == 31 and len({tuple(r) for r in tokens}) == 31
    data = tl.per_response_gradients(LM, THETA)
    for p in range(LM.n_prompts):
        assert abs(data["prob"][data["prompts"] == p].sum() - 1) < 1e-12


def test_the_target_scores_one_and_a_wrong_length_less():
    tokens = np.array([[0, 1, 2, -1], [0, 1, 1, 2], [0, 2, -1, -1]])
    s = tl.target_match_score(LM, np.zeros(3, int), tokens, tokens >= 0)
    np.testing.assert_allclose(s, [1.0, 0.5, 1 / 3])


def test_exact_gradient_equals_finite_differences():
    _, grad, _ = tl.exact_objective(LM, THETA)
    h = 1e-6
    fd = np.empty(THETA.size)
    for i in range(THETA.size):
        e = np.zeros(THETA.size)
        e[i] = h
        e = e.reshape(THETA.shape)
        fd[i] = (tl.exact_objective(LM, THETA + e)[0] - tl.exact_objective(LM, THETA - e)[0]) / (2 * h)
    np.testing.assert_allclose(grad, fd, atol=1e-8)


def test_kl_to_itself_is_zero_and_positive_otherwise():
    assert abs(tl.exact_objective(LM, THETA, theta_ref=THETA)[2]) < 1e-12
    assert tl.exact_objective(LM, THETA, theta_ref=np.zeros(LM.theta_shape))[2] > 0


def test_sampled_responses_follow_the_exact_probabilities():
    rng = np.random.default_rng(1)
    n = 20000
    tokens, mask = tl.sample_responses(LM, THETA, np.zeros(n, int), rng)
    all_tok, _ = tl.enumerate_responses(LM)
    data = tl.per_response_gradients(LM, THETA)
    prob = data["prob"][data["prompts"] == 0]
    idx = {tuple(r): i for i, r in enumerate(all_tok)}
    freq = np.bincount([idx[tuple(r)] for r in tokens], minlength=len(all_tok)) / n
    se = np.sqrt(prob * (1 - prob) / n)
    assert np.all(np.abs(freq - prob) < 5 * se + 1e-12)


def test_group_reinforce_moments_equal_the_independent_sample_moments():
    data = tl.per_response_gradients(LM, THETA)
    per = data["seq_score"] * data["score"][:, None]
    for G in (2, 3):
        m1, c1 = tl.estimator_moments(data, per, group_size=G)
        m2, c2 = tl.group_estimator_moments(data, group_size=G, method="reinforce")
        np.testing.assert_allclose(m1, m2, atol=1e-14)
        np.testing.assert_allclose(c1, c2, atol=1e-14)


@pytest.mark.parametrize("G", [2, 4, 8])
def test_rloo_is_unbiased_and_dr_grpo_shrinks_by_one_minus_one_over_g(G):
    data = tl.per_response_gradients(LM, THETA)
    _, grad, _ = tl.exact_objective(LM, THETA)
    rloo, _ = tl.group_estimator_moments(data, group_size=G, method="rloo")
    dr, _ = tl.group_estimator_moments(data, group_size=G, method="dr_grpo")
    np.testing.assert_allclose(rloo, grad, atol=1e-13)
    np.testing.assert_allclose(dr, (1 - 1 / G) * grad, atol=1e-13)


def test_gae_with_the_exact_critic_is_unbiased_for_every_lambda():
    data = tl.per_response_gradients(LM, THETA)
    _, grad, _ = tl.exact_objective(LM, THETA)

    def rewards(p, t, m):
        r = np.zeros(t.shape)
        r[np.arange(len(t)), m.sum(axis=1) - 1] = tl.target_match_score(LM, p, t, m)
        return r

    v = tl.exact_values(LM, THETA, data["prompts"], data["tokens"], data["mask"], rewards)
    for lam in (0.0, 0.5, 0.95, 1.0):
        mean, _ = tl.estimator_moments(data, tl.gae_gradients(data, v, lam=lam), group_size=4)
        np.testing.assert_allclose(mean, grad, atol=1e-13)
    biased, _ = tl.estimator_moments(data, tl.gae_gradients(data, v + 0.3, lam=0.5), group_size=4)
    assert np.abs(biased - grad).max() > 1e-3


def test_exact_grpo_mean_agrees_with_monte_carlo():
    G, n = 4, 4000
    data = tl.per_response_gradients(LM, THETA)
    mean, cov = tl.group_estimator_moments(data, group_size=G, method="grpo")
    rng = np.random.default_rng(5)
    prompts = np.repeat(np.arange(LM.n_prompts), G)
    samples = []
    for _ in range(n):
        tokens, mask = tl.sample_responses(LM, THETA, prompts, rng)
        score = tl.target_match_score(LM, prompts, tokens, mask)
        a = group_advantages(score, group_size=G, method="grpo")
        s = tl.token_scores(LM, THETA, prompts, tokens, mask).sum(axis=1)
        samples.append((a[:, None] * s).reshape(LM.n_prompts, G, -1).mean(axis=1).mean(axis=0))
    samples = np.array(samples)
    se = np.sqrt(np.diag(cov) / n)
    ok = se > 0
    assert np.all(np.abs(samples.mean(axis=0) - mean)[ok] < 5 * se[ok])


@pytest.mark.parametrize("method", ["grpo", "rloo", "dr_grpo"])
@pytest.mark.parametrize("G", [2, 3])
def test_group_moments_equal_brute_force_enumeration_of_whole_groups(method, G):
    import itertools

    data = tl.per_response_gradients(LM, THETA)
    mean, cov = tl.group_estimator_moments(data, group_size=G, method=method)
    P = LM.n_prompts
    m_bf, c_bf = 0.0, 0.0
    for p in range(P):
        sel = data["prompts"] == p
        w, s, r = data["prob"][sel], data["seq_score"][sel], data["score"][sel]
        idx = np.array(list(itertools.product(range(len(w)), repeat=G)))  # every group
        prob = np.prod(w[idx], axis=1)
        a = group_advantages(r[idx].reshape(-1), group_size=G, method=method).reshape(idx.shape)
        g = np.einsum("ng,ngd->nd", a, s[idx]) / G
        mp = prob @ g
        m_bf = m_bf + mp / P
        c_bf = c_bf + ((g * prob[:, None]).T @ g - np.outer(mp, mp)) / P**2
    np.testing.assert_allclose(mean, m_bf, atol=1e-13)
    np.testing.assert_allclose(cov, c_bf, atol=1e-13)


def test_train_runs_and_improves_the_exact_score():
    pytest.importorskip("gaebook.ppo")
    res = tl.train(LM, "rloo", seed=0, n_updates=30)
    assert res.score[-1] > res.score[0] + 0.1
    assert res.responses[-1] == 30 * 8 * LM.n_prompts
    again = tl.train(LM, "rloo", seed=0, n_updates=30)
    np.testing.assert_array_equal(res.score, again.score)
