"""Tests for gaebook.optim: Adam, ascent and descent."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gaebook.optim import Adam, adam_direction


def test_first_two_steps_match_a_hand_computation():
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    opt = Adam(lr=lr, beta1=b1, beta2=b2, eps=eps)
    theta = np.array([1.0, -2.0])
    g1, g2 = np.array([0.5, -4.0]), np.array([1.0, 2.0])
    # step 1: m = 0.1 g1, v = 0.001 g1^2; bias-corrected m_hat = g1, v_hat = g1^2, so delta = lr * sign(g1)
    theta1 = opt.ascend(theta, g1)
    np.testing.assert_allclose(theta1, theta + lr * g1 / (np.abs(g1) + eps), rtol=1e-12)
    # step 2 by hand
    m = 0.9 * (0.1 * g1) + 0.1 * g2
    v = 0.999 * (0.001 * g1**2) + 0.001 * g2**2
    delta = lr * (m / (1 - 0.9**2)) / (np.sqrt(v / (1 - 0.999**2)) + eps)
    np.testing.assert_allclose(opt.ascend(theta1, g2), theta1 + delta, rtol=1e-12)
    np.testing.assert_allclose(delta, [0.1 * 0.145 / 0.19 / math.sqrt((0.999 * 0.00025 + 0.001) / 0.001999),
                                       0.1 * (-0.16) / 0.19 / math.sqrt((0.999 * 0.016 + 0.004) / 0.001999)], rtol=1e-7)  # eps ignored here
    assert opt.step_count == 2


def test_ascent_and_descent_move_in_opposite_directions():
    g = np.array([1.0, -1.0])
    up = Adam(lr=0.01).ascend(np.zeros(2), g)
    down = Adam(lr=0.01).descend(np.zeros(2), g)
    np.testing.assert_allclose(up, -down)
    assert up[0] > 0 and up[1] < 0


def test_descent_converges_on_a_quadratic():
    target = np.array([3.0, -1.0, 0.5])
    opt = Adam(lr=0.05)
    theta = np.zeros(3)
    for _ in range(2000):
        theta = opt.descend(theta, 2 * (theta - target))  # gradient of |theta - target|^2
    np.testing.assert_allclose(theta, target, atol=1e-3)


def test_ascent_converges_on_a_concave_quadratic():
    opt = Adam(lr=0.05)
    theta = np.array([5.0])
    for _ in range(2000):
        theta = opt.ascend(theta, -2 * (theta - 1.0))
    assert abs(theta[0] - 1.0) < 1e-3


def test_params_are_not_modified():
    theta = np.array([1.0, 2.0])
    Adam().ascend(theta, np.ones(2))
    np.testing.assert_array_equal(theta, [1.0, 2.0])


@settings(max_examples=50, deadline=None)
@given(g=st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=5), lr=st.floats(1e-4, 1.0))
def test_first_step_is_at_most_lr_in_each_coordinate(g, lr):
    delta, m, v = adam_direction(np.array(g), np.zeros(len(g)), np.zeros(len(g)), 1, lr=lr)
    assert np.all(np.abs(delta) <= lr * (1 + 1e-12))


@pytest.mark.parametrize("name, kwargs", [("lr", {"lr": 0.0}), ("lr", {"lr": -1}), ("lr", {"lr": float("nan")}),
                                          ("beta1", {"beta1": 1.0}), ("beta2", {"beta2": -0.1}), ("eps", {"eps": 0.0}),
                                          ("lr", {"lr": True}), ("beta1", {"beta1": "0.9"})])
def test_bad_hyperparameters_name_the_argument(name, kwargs):
    with pytest.raises(ValueError, match=f"^{name}"):
        Adam(**kwargs)


@settings(max_examples=30, deadline=None)
@given(pos=st.integers(0, 2), bad=st.sampled_from([np.nan, np.inf, -np.inf]))
def test_nonfinite_gradient_or_params_are_refused(pos, bad):
    g = np.zeros(3)
    g[pos] = bad
    with pytest.raises(ValueError, match="^grad"):
        Adam().ascend(np.zeros(3), g)
    with pytest.raises(ValueError, match="^params"):
        Adam().descend(g, np.zeros(3))


def test_wrong_shapes_are_refused():
    with pytest.raises(ValueError, match="^grad"):
        Adam().ascend(np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError, match="^params"):
        Adam().ascend(np.zeros((2, 2)), np.zeros((2, 2)))
    opt = Adam()
    opt.ascend(np.zeros(2), np.ones(2))
    with pytest.raises(ValueError, match="^params"):
        opt.ascend(np.zeros(3), np.ones(3))
    with pytest.raises(ValueError, match="^step"):
        adam_direction(np.ones(2), np.zeros(2), np.zeros(2), 0)
    with pytest.raises(ValueError, match="^m"):
        adam_direction(np.ones(2), np.zeros(3), np.zeros(2), 1)
