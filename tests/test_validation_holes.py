"""Inputs that used to slip through or fail with an unhelpful error now raise a ValueError
whose message starts with the argument's name (issue 15)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gaebook.finite_mdp import FiniteMDP
from gaebook.gaussian import GaussianPolicy, expectation_quad, gaussian_log_prob, gaussian_sample
from gaebook.optim import Adam, adam_direction


def test_adam_direction_refuses_a_negative_second_moment():
    with pytest.raises(ValueError, match="^v must be nonnegative"):
        adam_direction(np.ones(2), np.zeros(2), np.array([0.0, -1e-3]), 1)


def test_adam_with_a_corrupted_negative_v_refuses_to_step():
    opt = Adam()
    opt.ascend(np.zeros(2), np.ones(2))
    opt.v = -opt.v
    with pytest.raises(ValueError, match="^v must be nonnegative"):
        opt.ascend(np.zeros(2), np.ones(2))


def _mdp(**kw):
    P = np.full((2, 1, 2), 0.5)
    return FiniteMDP(P, np.zeros((2, 1)), gamma=0.9, **kw)


@pytest.mark.parametrize("atol", [-1e-8, math.nan, math.inf, "1e-8", None, True])
def test_finite_mdp_refuses_a_negative_nan_or_non_number_atol(atol):
    with pytest.raises(ValueError, match="^atol"):
        _mdp(atol=atol)


def test_finite_mdp_accepts_zero_and_positive_atol():
    assert _mdp(atol=0.0).atol == 0.0 and _mdp(atol=1e-6).atol == 1e-6


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")
def test_expectation_quad_refuses_an_f_without_a_finite_expectation():
    with pytest.raises(ValueError, match="^f must have a finite expectation"):
        expectation_quad(lambda x: math.nan, 0.0, 0.0)


@pytest.mark.parametrize("log_sigma", [709.5, -709.5, 1e4, -1e4])
def test_log_sigma_beyond_700_is_a_value_error_not_an_overflow(log_sigma):
    with pytest.raises(ValueError, match="^log_sigma"):
        gaussian_log_prob(np.zeros(3), 0.0, log_sigma)
    with pytest.raises(ValueError, match="^log_sigma"):
        gaussian_sample(0.0, log_sigma, 3, np.random.default_rng(0))
    with pytest.raises(ValueError, match="^log_sigma"):
        GaussianPolicy(0.0, log_sigma)


def test_log_sigma_at_700_still_works():
    assert np.isfinite(gaussian_log_prob(np.zeros(1), 0.0, 700.0)).all()
    assert GaussianPolicy(0.0, -700.0).sigma > 0.0
