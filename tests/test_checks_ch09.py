"""The chapter 9 self-check passes a correct next_values builder and fails wrong ones."""

from __future__ import annotations

import numpy as np
import pytest

from gaebook.checks import check_next_values


def correct(stream_values, final_values, terminated, truncated):
    next_values = stream_values[1:].copy()
    ended = terminated | truncated
    next_values[ended] = final_values[ended]  # also fine at terminated steps: they are ignored
    return next_values


def correct_with_zero_at_terminal(stream_values, final_values, terminated, truncated):
    cut = truncated & ~terminated
    return np.where(terminated, 0.0, np.where(cut, final_values, stream_values[1:]))


def naive_shift(stream_values, final_values, terminated, truncated):
    return stream_values[1:]  # values[1:]: the next episode's first value after a reset


def final_only_at_terminations(stream_values, final_values, terminated, truncated):
    return np.where(terminated, final_values, stream_values[1:])


def off_by_one(stream_values, final_values, terminated, truncated):
    ended = terminated | truncated
    return np.where(ended, final_values, stream_values[:-1])


def last_step_forgotten(stream_values, final_values, terminated, truncated):
    next_values = correct(stream_values, final_values, terminated, truncated)
    next_values[-1] = stream_values[-1]  # the last row never uses the final observation
    return next_values


def test_correct_implementations_pass():
    assert check_next_values(correct, quiet=True)
    assert check_next_values(correct_with_zero_at_terminal, quiet=True)


def test_naive_values_shift_fails():
    result = check_next_values(naive_shift, quiet=True)
    assert not result and "First failure" in result.report


def test_final_value_only_at_terminations_fails():
    assert not check_next_values(final_only_at_terminations, quiet=True)


def test_off_by_one_fails():
    assert not check_next_values(off_by_one, quiet=True)


def test_forgetting_a_truncation_at_the_last_step_fails():
    result = check_next_values(last_step_forgotten, quiet=True)
    assert not result and "truncated" in result.report.splitlines()[0]


def test_not_implemented_is_raised_after_a_friendly_message(capsys):
    def stub(*args):
        raise NotImplementedError

    with pytest.raises(NotImplementedError):
        check_next_values(stub)
    assert "not implemented" in capsys.readouterr().out
