"""Tests for gaebook.nn: the hand-written backpropagation equals the derivative."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gaebook.nn import MLP, orthogonal

REL_TOL = 1e-6  # central differences with h = 1e-6 in float64: O(h^2) truncation, O(eps/h) rounding


def _loss(net, params, x, weights):
    """A scalar loss that reaches every output: sum(weights * out)."""
    return float((net(params, x) * weights).sum())


def _finite_difference_gradient(net, params, x, weights, h=1e-6):
    grad = np.empty_like(params)
    for j in range(params.size):
        e = np.zeros_like(params)
        e[j] = h
        grad[j] = (_loss(net, params + e, x, weights) - _loss(net, params - e, x, weights)) / (2 * h)
    return grad


def _relative_error(a, b):
    return np.max(np.abs(a - b)) / max(np.max(np.abs(a)), np.max(np.abs(b)), 1e-12)


@settings(max_examples=15, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 5), min_size=2, max_size=4),
    batch=st.integers(1, 4),
    seed=st.integers(0, 2**32 - 1),
)
def test_backward_equals_central_finite_differences(sizes, batch, seed):
    rng = np.random.default_rng(seed)
    net = MLP(tuple(sizes), output_gain=1.0)
    params = net.init(rng) + 0.3 * rng.normal(size=net.num_params)  # biases away from zero too
    x = rng.normal(size=(batch, sizes[0]))
    weights = rng.normal(size=(batch, sizes[-1]))
    _, cache = net.forward(params, x)
    analytic = net.backward(params, cache, weights)
    numeric = _finite_difference_gradient(net, params, x, weights)
    assert _relative_error(analytic, numeric) <= REL_TOL


def test_gradient_check_on_the_ppo_network_shape():
    rng = np.random.default_rng(12)
    net = MLP((4, 16, 16, 2), output_gain=0.01)
    params = net.init(rng)
    x, weights = rng.normal(size=(3, 4)), rng.normal(size=(3, 2))
    _, cache = net.forward(params, x)
    assert _relative_error(net.backward(params, cache, weights),
                           _finite_difference_gradient(net, params, x, weights)) <= REL_TOL


def test_one_layer_network_is_affine():
    rng = np.random.default_rng(0)
    net = MLP((3, 2))
    params = rng.normal(size=net.num_params)
    (w, b), = net.layers(params)
    x = rng.normal(size=(5, 3))
    np.testing.assert_allclose(net(params, x), x @ w + b, rtol=1e-14)


def test_forward_composes_tanh_layers():
    rng = np.random.default_rng(1)
    net = MLP((3, 4, 2))
    params = rng.normal(size=net.num_params)
    (w1, b1), (w2, b2) = net.layers(params)
    x = rng.normal(size=(6, 3))
    np.testing.assert_allclose(net(params, x), np.tanh(x @ w1 + b1) @ w2 + b2, rtol=1e-13)


@pytest.mark.parametrize("rows, cols", [(4, 4), (64, 4), (4, 64), (64, 2)])
def test_orthogonal_init_has_orthonormal_rows_or_columns_times_gain(rows, cols):
    gain = 1.7
    w = orthogonal(rows, cols, gain=gain, rng=np.random.default_rng(rows * cols))
    gram = w.T @ w if rows >= cols else w @ w.T
    np.testing.assert_allclose(gram, gain**2 * np.eye(min(rows, cols)), atol=1e-12)


def test_init_uses_the_documented_gains_and_zero_biases():
    net = MLP((4, 64, 64, 2), output_gain=0.01)
    params = net.init(np.random.default_rng(3))
    layers = net.layers(params)
    for l, (w, b) in enumerate(layers):
        gain = 0.01 if l == len(layers) - 1 else math.sqrt(2)
        gram = w.T @ w if w.shape[0] >= w.shape[1] else w @ w.T
        np.testing.assert_allclose(gram, gain**2 * np.eye(min(w.shape)), atol=1e-12)
        assert np.all(b == 0)


def test_init_is_deterministic_for_a_seed():
    net = MLP((4, 8, 2))
    a = net.init(np.random.default_rng(5))
    b = net.init(np.random.default_rng(5))
    assert np.array_equal(a, b)


def test_forward_and_backward_do_not_mutate_inputs():
    rng = np.random.default_rng(2)
    net = MLP((3, 5, 2))
    params, x, g = net.init(rng), rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    copies = [params.copy(), x.copy(), g.copy()]
    out, cache = net.forward(params, x)
    net.backward(params, cache, g)
    for before, after in zip(copies, [params, x, g]):
        assert np.array_equal(before, after)


def test_float32_path_keeps_float32():
    rng = np.random.default_rng(4)
    net = MLP((3, 5, 2))
    params = net.init(rng).astype(np.float32)
    x = rng.normal(size=(4, 3)).astype(np.float32)
    out, cache = net.forward(params, x, validate=False)
    grad = net.backward(params, cache, np.ones((4, 2), np.float32), validate=False)
    assert out.dtype == np.float32 and grad.dtype == np.float32


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(sizes=(4,)), "sizes"),
        (dict(sizes=(4, 0)), "sizes"),
        (dict(sizes=(4, 2.5)), "sizes"),
        (dict(sizes=(4, 2), output_gain=0.0), "output_gain"),
        (dict(sizes=(4, 2), hidden_gain=float("nan")), "hidden_gain"),
    ],
)
def test_mlp_rejects_bad_structure_naming_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=f"^{name}"):
        MLP(**kwargs)


def test_forward_and_backward_validate_naming_the_argument():
    net = MLP((3, 2))
    params = np.zeros(net.num_params)
    with pytest.raises(ValueError, match="^params"):
        net.forward(np.zeros(net.num_params + 1), np.zeros((1, 3)))
    with pytest.raises(ValueError, match="^params"):
        net.forward(np.full(net.num_params, np.nan), np.zeros((1, 3)))
    with pytest.raises(ValueError, match="^x"):
        net.forward(params, np.zeros((1, 4)))
    with pytest.raises(ValueError, match="^x"):
        net.forward(params, np.array([[1.0, np.inf, 0.0]]))
    _, cache = net.forward(params, np.zeros((2, 3)))
    with pytest.raises(ValueError, match="^grad_out"):
        net.backward(params, cache, np.zeros((3, 2)))
    with pytest.raises(ValueError, match="^cache"):
        net.backward(params, "cache", np.zeros((2, 2)))
    with pytest.raises(ValueError, match="^rng"):
        net.init(0)
    with pytest.raises(ValueError, match="^gain"):
        orthogonal(2, 2, gain=-1.0, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="^rows"):
        orthogonal(0, 2, gain=1.0, rng=np.random.default_rng(0))
