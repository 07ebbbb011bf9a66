"""The chapter 7 self-check passes a correct GAE and catches the classic mistakes."""

import numpy as np
import pytest

import gaebook
from gaebook.checks import check_gae


def _arrays(rewards, values, next_values, terminated, truncated):
    term = np.asarray(terminated, dtype=bool)
    trunc = np.asarray(truncated, dtype=bool)
    boot = np.where(term, 0.0, next_values)
    return np.asarray(rewards, float), np.asarray(values, float), boot, term, trunc


def _backward(delta, decay):
    """A_t = delta_t + decay_t * A_{t+1}: the backward pass every variant below shares."""
    adv = np.zeros_like(delta)
    running = np.zeros_like(delta[0])
    for t in reversed(range(len(delta))):
        running = delta[t] + decay[t] * running
        adv[t] = running
    return adv


def correct_gae(rewards, values, next_values, terminated, truncated, *, gamma, lam):
    r, v, boot, term, trunc = _arrays(rewards, values, next_values, terminated, truncated)
    return _backward(r + gamma * boot - v, gamma * lam * ~(term | trunc))


def carries_across_truncation(rewards, values, next_values, terminated, truncated, *, gamma, lam):
    r, v, boot, term, _ = _arrays(rewards, values, next_values, terminated, truncated)
    return _backward(r + gamma * boot - v, gamma * lam * ~term)  # forgets truncated


def bootstraps_from_next_row(rewards, values, next_values, terminated, truncated, *, gamma, lam):
    r, v, boot, term, trunc = _arrays(rewards, values, next_values, terminated, truncated)
    boot = boot.copy()
    boot[:-1] = np.where(term[:-1], 0.0, v[1:])  # values[t + 1] even at a truncation
    return _backward(r + gamma * boot - v, gamma * lam * ~(term | trunc))


def gamma_instead_of_gamma_lambda(rewards, values, next_values, terminated, truncated, *, gamma, lam):
    r, v, boot, term, trunc = _arrays(rewards, values, next_values, terminated, truncated)
    return _backward(r + gamma * boot - v, gamma * ~(term | trunc))


def nan_not_masked(rewards, values, next_values, terminated, truncated, *, gamma, lam):
    term = np.asarray(terminated, dtype=bool)
    trunc = np.asarray(truncated, dtype=bool)
    delta = rewards + gamma * (1 - term) * next_values - values  # NaN * 0 is NaN
    return _backward(delta, gamma * lam * ~(term | trunc))


def test_library_gae_passes_its_own_check():
    assert check_gae(gaebook.gae, quiet=True)


def test_correct_gae_returning_advantages_only_passes():
    result = check_gae(correct_gae, quiet=True)
    assert result.passed, result.report


def test_correct_gae_returning_advantages_and_returns_passes():
    def pair(rewards, values, next_values, terminated, truncated, *, gamma, lam):
        adv = correct_gae(rewards, values, next_values, terminated, truncated, gamma=gamma, lam=lam)
        return adv, adv + values

    assert check_gae(pair, quiet=True)


def test_wrong_returns_in_the_pair_fail():
    def pair(rewards, values, next_values, terminated, truncated, *, gamma, lam):
        adv = correct_gae(rewards, values, next_values, terminated, truncated, gamma=gamma, lam=lam)
        return adv, adv  # forgot + values

    assert not check_gae(pair, quiet=True)


@pytest.mark.parametrize(
    "wrong", [carries_across_truncation, bootstraps_from_next_row, gamma_instead_of_gamma_lambda, nan_not_masked]
)
def test_wrong_gae_fails_and_names_a_case(wrong):
    result = check_gae(wrong, quiet=True)
    assert not result.passed
    assert "First failure" in result.report and "expected" in result.report


def test_stub_raises_not_implemented_after_a_friendly_message(capsys):
    def stub(*args, **kwargs):
        raise NotImplementedError

    with pytest.raises(NotImplementedError):
        check_gae(stub)
    assert "not implemented" in capsys.readouterr().out


def test_a_crashing_function_is_reported_not_raised():
    def crash(*args, **kwargs):
        raise IndexError("oops")

    result = check_gae(crash, quiet=True)
    assert not result and "IndexError" in result.report


def test_check_does_not_let_the_candidate_mutate_the_reference_inputs():
    def mutating(rewards, values, next_values, terminated, truncated, *, gamma, lam):
        out = correct_gae(rewards, values, next_values, terminated, truncated, gamma=gamma, lam=lam)
        rewards[...] = 0.0
        return out

    assert check_gae(mutating, quiet=True)
