"""Tests for gaebook.rewards: the piecewise peak reward of chapter 2."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gaebook.rewards import PEAK_ARGMAX, PEAK_BREAKPOINTS, PEAK_MAX, peak_reward


@pytest.mark.parametrize(
    "x, expected",
    [(-5.0, 0.0), (0.0, 0.0), (1e-12, 2.0), (1.0, 2.0), (2.0, 2.0), (2.0 + 1e-12, 2.0 + 1e-12), (3.0, 3.0),
     (4.0, 4.0), (5.0, 3.0), (8.0, 0.0), (8.5, 0.0), (100.0, 0.0)],
)
def test_values_at_and_around_the_piece_boundaries(x, expected):
    assert peak_reward(x) == pytest.approx(expected, abs=1e-15)


def test_jump_at_zero_and_continuity_elsewhere():
    eps = 1e-9
    assert peak_reward(0.0) == 0.0 and peak_reward(eps) == 2.0  # the only jump
    for b in PEAK_BREAKPOINTS[1:]:
        assert abs(peak_reward(b + eps) - peak_reward(b - eps)) < 1e-8


def test_single_peak_at_four():
    grid = np.linspace(-2, 10, 12001)
    f = peak_reward(grid)
    assert grid[np.argmax(f)] == pytest.approx(PEAK_ARGMAX) and f.max() == PEAK_MAX


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=20))
def test_vectorised_matches_elementwise_and_stays_in_range(xs):
    x = np.array(xs)
    f = peak_reward(x)
    assert f.shape == x.shape
    assert np.all((f >= 0) & (f <= 4))
    np.testing.assert_array_equal(f, [peak_reward(v) for v in xs])


def test_shape_and_dtype_are_kept():
    assert peak_reward(np.zeros((2, 3), dtype=np.float32)).dtype == np.float32
    assert peak_reward(np.zeros((2, 3))).shape == (2, 3)
    assert peak_reward(np.array([3])).dtype == np.float64
    assert np.ndim(peak_reward(3.0)) == 0


def test_input_is_not_modified():
    x = np.array([1.0, 3.0, 5.0])
    peak_reward(x)
    np.testing.assert_array_equal(x, [1.0, 3.0, 5.0])


@pytest.mark.parametrize("bad", [np.nan, np.inf, [1.0, np.nan], ["a"], [True, False], None])
def test_bad_input_names_x(bad):
    with pytest.raises(ValueError, match="^x"):
        peak_reward(bad)
