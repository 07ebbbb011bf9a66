"""The chapter 5 self-check accepts a correct TD error and rejects common mistakes."""

from __future__ import annotations

import numpy as np
import pytest

from gaebook.checks import check_td_errors


def correct(rewards, values, next_values, terminated, truncated, *, gamma):
    bootstrap = np.where(terminated, 0.0, next_values)
    return rewards + gamma * bootstrap - values


def forgets_the_terminated_mask(rewards, values, next_values, terminated, truncated, *, gamma):
    return rewards + gamma * np.nan_to_num(next_values) - values


def masks_by_multiplying(rewards, values, next_values, terminated, truncated, *, gamma):
    return rewards + gamma * (1 - terminated) * next_values - values  # NaN * 0 is NaN


def treats_truncation_as_termination(rewards, values, next_values, terminated, truncated, *, gamma):
    return rewards + gamma * np.where(terminated | truncated, 0.0, next_values) - values


def uses_values_shifted_by_one(rewards, values, next_values, terminated, truncated, *, gamma):
    nxt = np.concatenate([values[1:], next_values[-1:]])  # values[t+1]: wrong across a boundary
    return rewards + gamma * np.where(terminated, 0.0, nxt) - values


def test_correct_td_errors_pass(capsys):
    result = check_td_errors(correct)
    assert result
    assert "all" in capsys.readouterr().out


def test_quiet_prints_nothing(capsys):
    assert check_td_errors(correct, quiet=True)
    assert capsys.readouterr().out == ""


def test_forgetting_the_terminated_mask_fails():
    assert not check_td_errors(forgets_the_terminated_mask, quiet=True)


def test_masking_nan_by_multiplication_fails():
    assert not check_td_errors(masks_by_multiplying, quiet=True)


def test_treating_truncation_as_termination_fails():
    assert not check_td_errors(treats_truncation_as_termination, quiet=True)


def test_values_t_plus_1_across_a_boundary_fails():
    assert not check_td_errors(uses_values_shifted_by_one, quiet=True)


def test_a_stub_raises_not_implemented_after_a_friendly_message(capsys):
    def stub(*args, **kwargs):
        raise NotImplementedError

    with pytest.raises(NotImplementedError):
        check_td_errors(stub)
    assert "not implemented" in capsys.readouterr().out
