"""The chapter 2 self-check accepts a correct batch gradient estimate and rejects wrong ones."""

import numpy as np

from gaebook.checks import check_pg_estimate


def scores(x, mu, log_sigma):
    sigma = np.exp(log_sigma)
    return (x - mu) / sigma**2, ((x - mu) / sigma) ** 2 - 1


def correct(x, rewards, mu, log_sigma):
    s_mu, s_ls = scores(x, mu, log_sigma)
    return np.array([np.mean(rewards * s_mu), np.mean(rewards * s_ls)])


def test_correct_estimate_passes():
    assert check_pg_estimate(correct, quiet=True)


def test_summing_instead_of_averaging_fails():
    assert not check_pg_estimate(lambda x, r, m, s: correct(x, r, m, s) * len(x), quiet=True)


def test_missing_minus_one_in_the_log_sigma_score_fails():
    def wrong(x, rewards, mu, log_sigma):
        s_mu, s_ls = scores(x, mu, log_sigma)
        return np.array([np.mean(rewards * s_mu), np.mean(rewards * (s_ls + 1))])

    assert not check_pg_estimate(wrong, quiet=True)


def test_swapped_order_fails():
    assert not check_pg_estimate(lambda x, r, m, s: correct(x, r, m, s)[::-1], quiet=True)
