"""The chapter 4 self-check accepts a correct answer and rejects wrong ones."""

import numpy as np
import pytest

from gaebook.checks import check_optimal_baseline


def good(scores, returns):
    g2 = scores**2
    return (g2 * returns[:, None]).sum(axis=0) / g2.sum(axis=0)


def mean_return(scores, returns):  # the popular but not optimal choice
    return np.full(scores.shape[1], returns.mean())


def unsquared(scores, returns):
    return (scores * returns[:, None]).sum(axis=0) / scores.sum(axis=0)


def pooled(scores, returns):  # one baseline for all parameters
    g2 = (scores**2).sum(axis=1)
    return np.full(scores.shape[1], (g2 * returns).sum() / g2.sum())


def test_correct_optimal_baseline_passes(capsys):
    assert check_optimal_baseline(good)
    assert "all" in capsys.readouterr().out


@pytest.mark.parametrize("wrong", [mean_return, unsquared, pooled])
def test_wrong_optimal_baseline_fails(wrong):
    assert not check_optimal_baseline(wrong, quiet=True)
