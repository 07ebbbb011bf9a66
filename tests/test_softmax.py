"""Tests for gaebook.softmax: probabilities, log-probabilities and the score."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gaebook.softmax import log_softmax, softmax, softmax_score

finite = st.floats(-50, 50, allow_nan=False, allow_infinity=False)
logit_arrays = st.integers(1, 6).flatmap(lambda n: arrays(np.float64, (n,), elements=finite))


@settings(max_examples=60, deadline=None)
@given(logit_arrays)
def test_probabilities_are_positive_and_sum_to_one(z):
    p = softmax(z)
    assert np.all(p >= 0)
    assert np.isclose(p.sum(), 1.0, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(logit_arrays)
def test_log_softmax_is_log_of_softmax(z):
    assert np.allclose(np.exp(log_softmax(z)), softmax(z), atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(logit_arrays, st.floats(-1e3, 1e3))
def test_softmax_is_invariant_to_adding_a_constant(z, c):
    assert np.allclose(softmax(z + c), softmax(z), atol=1e-9)


def test_large_logits_do_not_overflow():
    z = np.array([1000.0, 1001.0, -1000.0])
    p = softmax(z)
    assert np.all(np.isfinite(p)) and np.isclose(p.sum(), 1.0)
    assert np.allclose(p[:2], [1 / (1 + np.e), np.e / (1 + np.e)])
    assert np.all(np.isfinite(log_softmax(z)))
    assert np.isclose(log_softmax(z)[2], -2001.0 - np.log1p(np.exp(-1.0)))


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 5).flatmap(lambda n: st.tuples(arrays(np.float64, (n,), elements=st.floats(-5, 5)), st.integers(0, n - 1))))
def test_score_matches_central_finite_differences(za):
    z, a = za
    h = 1e-6
    fd = np.array([(log_softmax(z + h * e)[a] - log_softmax(z - h * e)[a]) / (2 * h) for e in np.eye(z.size)])
    assert np.allclose(softmax_score(z, np.int64(a)), fd, atol=1e-6)


@settings(max_examples=40, deadline=None)
@given(logit_arrays)
def test_score_has_zero_mean_under_the_policy(z):
    p = softmax(z)
    scores = softmax_score(np.tile(z, (z.size, 1)), np.arange(z.size))
    assert np.allclose(p @ scores, 0.0, atol=1e-12)


def test_batched_score_has_logits_shape():
    z = np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 10
    a = np.array([[0, 1, 2], [3, 0, 1]])
    g = softmax_score(z, a)
    assert g.shape == z.shape and g.dtype == np.float32
    assert np.allclose(g.sum(axis=-1), 0.0, atol=1e-6)


def test_inputs_are_not_modified():
    z = np.array([0.5, -1.0, 2.0])
    z0 = z.copy()
    softmax(z), log_softmax(z), softmax_score(z, np.int64(1))
    assert np.array_equal(z, z0)


def test_integer_logits_are_accepted():
    assert np.allclose(softmax(np.array([0, 0])), [0.5, 0.5])


@pytest.mark.parametrize(
    "bad",
    [np.array([1.0, np.nan]), np.array([np.inf, 0.0]), np.array([True, False]), np.array(["a"]), np.zeros((2, 0)), 3.0],
)
def test_bad_logits_raise_naming_logits(bad):
    for fn in (softmax, log_softmax):
        with pytest.raises(ValueError, match="^logits"):
            fn(bad)


@pytest.mark.parametrize("bad", [np.array(1.5), np.array([0, 1]), np.int64(3), np.int64(-1)])
def test_bad_actions_raise_naming_actions(bad):
    with pytest.raises(ValueError, match="^actions"):
        softmax_score(np.zeros(3), bad)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.integers(1, 4), elements=st.floats(allow_nan=True, allow_infinity=True)))
def test_fuzzed_logits_either_work_or_raise_naming_logits(z):
    try:
        p = softmax(z)
    except ValueError as err:
        assert str(err).startswith("logits")
    else:
        assert np.isclose(p.sum(), 1.0)
