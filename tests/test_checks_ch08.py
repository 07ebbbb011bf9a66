"""The chapter 8 self-check passes correct λ-returns and catches wrong ones."""

import numpy as np
import pytest

import gaebook
from gaebook.checks import check_lambda_returns


def _recursion(rewards, next_values, terminated, truncated, *, gamma, lam, cut_on_truncation=True, swap=False):
    term = np.asarray(terminated, dtype=bool)
    trunc = np.asarray(truncated, dtype=bool)
    boot = np.where(term, 0.0, next_values)
    T = len(rewards)
    out = np.zeros_like(boot)
    following = boot[-1]
    for t in reversed(range(T)):
        end = term[t] | (trunc[t] if cut_on_truncation else False) | (t == T - 1)
        a, b = (lam, 1 - lam) if swap else (1 - lam, lam)
        tail = np.where(end, boot[t], a * boot[t] + b * following)
        out[t] = rewards[t] + gamma * tail
        following = out[t]
    return out


def correct(rewards, next_values, terminated, truncated, *, gamma, lam):
    return _recursion(rewards, next_values, terminated, truncated, gamma=gamma, lam=lam)


def carries_across_truncation(rewards, next_values, terminated, truncated, *, gamma, lam):
    return _recursion(rewards, next_values, terminated, truncated, gamma=gamma, lam=lam, cut_on_truncation=False)


def swapped_weights(rewards, next_values, terminated, truncated, *, gamma, lam):
    return _recursion(rewards, next_values, terminated, truncated, gamma=gamma, lam=lam, swap=True)


def lam_power_without_one_minus_lam(rewards, next_values, terminated, truncated, *, gamma, lam):
    """The erratum: sum_n lam^n R^(n) from n = 0 with no (1 - lam) and no tail, per episode."""
    term = np.asarray(terminated, dtype=bool)
    trunc = np.asarray(truncated, dtype=bool)
    boot = np.where(term, 0.0, next_values)
    rewards = np.asarray(rewards, float)
    T = len(rewards)
    out = np.zeros_like(boot)
    for t in range(T):
        end = t
        while not (term[end] | trunc[end]).all() and end < T - 1:
            end += 1
        total = 0.0
        for n in range(0, end - t + 2):
            steps = min(n, end - t + 1)
            g = sum(gamma**i * rewards[t + i] for i in range(steps))
            tail = boot[t + steps - 1] if steps >= 1 else next_values[t]
            total = total + lam**n * (g + gamma**steps * tail)
        out[t] = total
    return out


def test_library_lambda_returns_pass_their_own_check():
    assert check_lambda_returns(gaebook.lambda_returns, quiet=True)


def test_correct_recursion_passes():
    result = check_lambda_returns(correct, quiet=True)
    assert result.passed, result.report


@pytest.mark.parametrize("wrong", [carries_across_truncation, swapped_weights, lam_power_without_one_minus_lam])
def test_wrong_lambda_returns_fail(wrong):
    result = check_lambda_returns(wrong, quiet=True)
    assert not result.passed
    assert "First failure" in result.report


def test_returning_nothing_fails():
    def forgot_return(rewards, next_values, terminated, truncated, *, gamma, lam):
        correct(rewards, next_values, terminated, truncated, gamma=gamma, lam=lam)

    assert not check_lambda_returns(forgot_return, quiet=True)


def test_stub_raises_not_implemented_after_a_friendly_message(capsys):
    def stub(*args, **kwargs):
        raise NotImplementedError

    with pytest.raises(NotImplementedError):
        check_lambda_returns(stub)
    assert "not implemented" in capsys.readouterr().out
