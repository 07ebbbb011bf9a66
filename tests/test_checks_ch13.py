"""The chapter 13 self-check passes correct sweep statistics and catches the classic mistakes."""

import numpy as np
import pytest

from gaebook.checks import check_sweep_stats


def _curves(runs, grid, *, linear=False):
    """Step-wise curves on the grid, written as a loop (linear interpolation if asked: a mistake)."""
    out = np.full((len(runs), len(grid)), np.nan)
    for i, run in enumerate(runs):
        for k, g in enumerate(grid):
            if linear:
                out[i, k] = np.interp(g, run[:, 0], run[:, 1])
                continue
            seen = run[run[:, 0] <= g]
            if len(seen):
                out[i, k] = seen[-1, 1]
    return out


def correct(runs, grid, threshold, *, linear=False, normalise=True, ge=True, trapezoid=True):
    grid = np.asarray(grid, float)
    curves = _curves(runs, grid, linear=linear)
    if trapezoid:
        auc = np.trapezoid(curves, grid, axis=1)
        auc = auc / (grid[-1] - grid[0]) if normalise else auc
    else:
        auc = curves.mean(axis=1)
    hit = curves >= threshold if ge else curves > threshold
    steps = np.array([grid[np.argmax(h)] if h.any() else np.nan for h in hit])
    return auc, curves[:, -1], steps, int(np.sum(hit.any(axis=1)))


def linear_interpolation(runs, grid, threshold):
    return correct(runs, grid, threshold, linear=True)


def auc_not_normalised(runs, grid, threshold):
    return correct(runs, grid, threshold, normalise=False)


def mean_of_grid_points(runs, grid, threshold):
    return correct(runs, grid, threshold, trapezoid=False)


def strict_inequality(runs, grid, threshold):
    return correct(runs, grid, threshold, ge=False)


def counts_unsolved(runs, grid, threshold):
    auc, final, steps, n = correct(runs, grid, threshold)
    return auc, final, steps, len(runs) - n


def zero_instead_of_nan(runs, grid, threshold):
    auc, final, steps, n = correct(runs, grid, threshold)
    return auc, final, np.nan_to_num(steps, nan=0.0), n


def test_a_loop_implementation_passes():
    result = check_sweep_stats(correct, quiet=True)
    assert result.passed, result.report


@pytest.mark.parametrize(
    "wrong",
    [linear_interpolation, auc_not_normalised, mean_of_grid_points, strict_inequality, counts_unsolved,
     zero_instead_of_nan],
)
def test_wrong_statistics_fail_and_name_a_case(wrong):
    result = check_sweep_stats(wrong, quiet=True)
    assert not result.passed
    assert "First failure" in result.report and "expected" in result.report


def test_n_solved_must_be_an_integer_not_a_float():
    def as_float(runs, grid, threshold):
        auc, final, steps, n = correct(runs, grid, threshold)
        return auc, final, steps, float(n)

    assert not check_sweep_stats(as_float, quiet=True)


def test_stub_raises_not_implemented_after_a_friendly_message(capsys):
    def stub(runs, grid, threshold):
        raise NotImplementedError

    with pytest.raises(NotImplementedError):
        check_sweep_stats(stub)
    assert "not implemented" in capsys.readouterr().out


def test_a_crashing_function_is_reported_not_raised():
    def crash(runs, grid, threshold):
        raise KeyError("oops")

    result = check_sweep_stats(crash, quiet=True)
    assert not result and "KeyError" in result.report
