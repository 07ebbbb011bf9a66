"""Tests for gaebook.gaussian: log-density, closed-form scores, sampling, estimators."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gaebook.gaussian import (
    GaussianPolicy,
    expectation_quad,
    gaussian_log_prob,
    gaussian_sample,
    gaussian_score,
    gradient_quad,
    pg_estimate,
)
from gaebook.rewards import PEAK_BREAKPOINTS, peak_reward

finite = st.floats(-50, 50, allow_nan=False)
log_sigmas = st.floats(-3, 3, allow_nan=False)


def test_log_prob_matches_the_normal_density_formula():
    x = np.array([-1.0, 0.0, 2.5])
    mu, sigma = 0.5, 1.7
    expected = np.log(np.exp(-((x - mu) ** 2) / (2 * sigma**2)) / (sigma * np.sqrt(2 * np.pi)))
    np.testing.assert_allclose(gaussian_log_prob(x, mu, np.log(sigma)), expected, rtol=1e-13)


def test_density_integrates_to_one():
    assert math.isclose(expectation_quad(lambda x: 1.0, 1.3, -0.4), 1.0, rel_tol=1e-10)


@settings(max_examples=60, deadline=None)
@given(x=finite, mu=finite, log_sigma=log_sigmas)
def test_scores_equal_central_finite_differences_of_the_log_density(x, mu, log_sigma):
    h = 1e-5
    s_mu, s_ls = gaussian_score(np.array([x]), mu, log_sigma)
    fd_mu = (gaussian_log_prob(x, mu + h, log_sigma) - gaussian_log_prob(x, mu - h, log_sigma)) / (2 * h)
    fd_ls = (gaussian_log_prob(x, mu, log_sigma + h) - gaussian_log_prob(x, mu, log_sigma - h)) / (2 * h)
    # central differences: truncation O(h^2 * third derivative) plus rounding O(eps * |log p| / h)
    scale = 1 + abs(float(gaussian_log_prob(x, mu, log_sigma)))
    assert abs(s_mu[0] - fd_mu) <= 1e-6 * scale * (1 + math.exp(-2 * log_sigma))
    assert abs(s_ls[0] - fd_ls) <= 1e-6 * scale


def test_scores_keep_shape_and_float32_dtype():
    x = np.zeros((3, 4), dtype=np.float32)
    s_mu, s_ls = gaussian_score(x, 0.0, 0.0)
    assert s_mu.shape == s_ls.shape == (3, 4)
    assert s_mu.dtype == s_ls.dtype == np.float32
    assert gaussian_log_prob(x, 0.0, 0.0).dtype == np.float32


def test_scores_have_mean_zero_under_the_policy():
    # E[score] = 0 (chapter 4); by quadrature, to quadrature precision.
    for mu, ls in [(0.0, 1.0), (4.0, -2.0)]:
        e_mu = expectation_quad(lambda x: float(gaussian_score(x, mu, ls)[0]), mu, ls)
        e_ls = expectation_quad(lambda x: float(gaussian_score(x, mu, ls)[1]), mu, ls)
        assert abs(e_mu) < 1e-9 and abs(e_ls) < 1e-9


def test_inputs_are_not_modified():
    x = np.array([1.0, 2.0])
    before = x.copy()
    gaussian_score(x, 0.0, 0.0)
    gaussian_log_prob(x, 0.0, 0.0)
    pg_estimate(x, x, 0.0, 0.0)
    np.testing.assert_array_equal(x, before)


def test_sampling_statistics_with_a_seeded_generator():
    rng = np.random.default_rng(0)
    n, mu, sigma = 200_000, 1.5, 0.7
    x = gaussian_sample(mu, np.log(sigma), n, rng)
    assert x.shape == (n,)
    # mean: 4 standard errors sigma/sqrt(n); variance: 4 standard errors sigma^2 sqrt(2/n)
    assert abs(x.mean() - mu) < 4 * sigma / np.sqrt(n)
    assert abs(x.var(ddof=1) - sigma**2) < 4 * sigma**2 * np.sqrt(2 / n)


def test_sampling_is_reproducible():
    a = gaussian_sample(0.0, 0.0, 5, np.random.default_rng(7))
    b = gaussian_sample(0.0, 0.0, 5, np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)


def test_pg_estimate_is_the_batch_mean_of_reward_times_score():
    x = np.array([0.0, 1.0, 3.0])
    r = np.array([1.0, 2.0, -1.0])
    grad, stderr = pg_estimate(x, r, 1.0, 0.0)
    s_mu, s_ls = x - 1.0, (x - 1.0) ** 2 - 1
    np.testing.assert_allclose(grad, [np.mean(r * s_mu), np.mean(r * s_ls)])
    np.testing.assert_allclose(stderr, [np.std(r * s_mu, ddof=1) / np.sqrt(3), np.std(r * s_ls, ddof=1) / np.sqrt(3)])


def test_pg_estimate_is_zero_when_every_reward_is_zero():
    grad, stderr = pg_estimate(np.array([-3.0, -2.0]), np.zeros(2), -2.5, 0.0)
    np.testing.assert_array_equal(grad, 0.0)
    np.testing.assert_array_equal(stderr, 0.0)


def test_pg_estimate_agrees_with_the_exact_gradient_within_four_standard_errors():
    rng = np.random.default_rng(1)
    for mu, ls in [(0.0, 1.0), (3.0, -0.5)]:
        x = gaussian_sample(mu, ls, 20_000, rng)
        grad, se = pg_estimate(x, peak_reward(x), mu, ls)
        exact = gradient_quad(peak_reward, mu, ls, breakpoints=PEAK_BREAKPOINTS)
        assert np.all(np.abs(grad - exact) < 4 * se)


def test_gradient_quad_matches_a_closed_form():
    # f(x) = x^2: E = mu^2 + sigma^2, d/dmu = 2 mu, d/dlog sigma = 2 sigma^2
    mu, ls = 0.7, -0.3
    np.testing.assert_allclose(gradient_quad(lambda x: x * x, mu, ls), [2 * mu, 2 * np.exp(2 * ls)], rtol=1e-7)


def test_policy_class_holds_parameters_and_delegates():
    pol = GaussianPolicy.from_sigma(2.0, 0.5)
    assert math.isclose(pol.sigma, 0.5) and pol.mu == 2.0
    np.testing.assert_allclose(pol.params, [2.0, np.log(0.5)])
    pol.params = np.array([1.0, 0.0])
    assert pol.mu == 1.0 and pol.sigma == 1.0
    x = pol.sample(3, np.random.default_rng(0))
    np.testing.assert_allclose(pol.score(x)[0], gaussian_score(x, 1.0, 0.0)[0])
    np.testing.assert_allclose(pol.log_prob(x), gaussian_log_prob(x, 1.0, 0.0))


# ---- bad input ---------------------------------------------------------------


@pytest.mark.parametrize("sigma", [0.0, -1.0, float("nan"), float("inf")])
def test_nonpositive_or_nonfinite_sigma_is_refused(sigma):
    with pytest.raises(ValueError, match="^sigma"):
        GaussianPolicy.from_sigma(0.0, sigma)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf"), "1.0", None, True, np.array([1.0, 2.0])])
def test_bad_parameters_name_the_argument(bad):
    with pytest.raises(ValueError, match="^mu"):
        gaussian_score(np.zeros(2), bad, 0.0)
    with pytest.raises(ValueError, match="^log_sigma"):
        gaussian_log_prob(np.zeros(2), 0.0, bad)
    with pytest.raises(ValueError, match="^mu"):
        GaussianPolicy(bad, 0.0)


@settings(max_examples=40, deadline=None)
@given(pos=st.integers(0, 4), bad=st.sampled_from([np.nan, np.inf, -np.inf]))
def test_nonfinite_samples_are_refused(pos, bad):
    x = np.zeros(5)
    x[pos] = bad
    with pytest.raises(ValueError, match="^x"):
        gaussian_score(x, 0.0, 0.0)
    with pytest.raises(ValueError, match="^x"):
        pg_estimate(x, np.ones(5), 0.0, 0.0)
    with pytest.raises(ValueError, match="^rewards"):
        pg_estimate(np.zeros(5), x, 0.0, 0.0)


def test_wrong_shapes_are_refused():
    with pytest.raises(ValueError, match="^x"):
        pg_estimate(np.zeros((3, 2)), np.zeros((3, 2)), 0.0, 0.0)
    with pytest.raises(ValueError, match="^x"):
        pg_estimate(np.zeros(1), np.zeros(1), 0.0, 0.0)
    with pytest.raises(ValueError, match="^rewards"):
        pg_estimate(np.zeros(4), np.zeros(3), 0.0, 0.0)
    with pytest.raises(ValueError, match="^params"):
        GaussianPolicy().params = np.zeros(3)
    with pytest.raises(ValueError, match="^x"):
        gaussian_score(np.array(["a"]), 0.0, 0.0)


@pytest.mark.parametrize("rng", [None, 0, np.random.RandomState(0), "seed"])
def test_non_generator_rng_is_refused(rng):
    with pytest.raises(ValueError, match="^rng"):
        gaussian_sample(0.0, 0.0, 3, rng)


@pytest.mark.parametrize("n", [0, -1, 2.5, True, "3"])
def test_bad_sample_count_is_refused(n):
    with pytest.raises(ValueError, match="^n"):
        gaussian_sample(0.0, 0.0, n, np.random.default_rng(0))
