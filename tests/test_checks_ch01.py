"""The chapter 1 self-check accepts a correct Gaussian score and rejects wrong ones."""

import numpy as np
import pytest

from gaebook.checks import check_gaussian_score


def correct(x, mu, log_sigma):
    sigma = np.exp(log_sigma)
    return (x - mu) / sigma**2, ((x - mu) / sigma) ** 2 - 1


def test_correct_score_passes():
    assert check_gaussian_score(correct, quiet=True)


def test_score_divided_by_sigma_instead_of_sigma_squared_fails():
    assert not check_gaussian_score(lambda x, m, s: ((x - m) / np.exp(s), correct(x, m, s)[1]), quiet=True)


def test_score_with_respect_to_sigma_instead_of_log_sigma_fails():
    def wrong(x, mu, log_sigma):
        sigma = np.exp(log_sigma)
        return (x - mu) / sigma**2, (x - mu) ** 2 / sigma**3 - 1 / sigma

    assert not check_gaussian_score(wrong, quiet=True)


def test_forgetting_the_minus_one_fails():
    assert not check_gaussian_score(lambda x, m, s: (correct(x, m, s)[0], correct(x, m, s)[1] + 1), quiet=True)


def test_unimplemented_stub_raises_after_a_friendly_message(capsys):
    def stub(x, mu, log_sigma):
        raise NotImplementedError

    with pytest.raises(NotImplementedError):
        check_gaussian_score(stub)
    assert "not implemented" in capsys.readouterr().out
