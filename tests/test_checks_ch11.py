"""The chapter-11 self-check passes a correct TD(λ) and fails wrong ones."""

import pytest
import numpy as np

from gaebook.checks import check_td_lambda_episode
from gaebook.td_learning import lambda_return_increments


def correct(states, rewards, values, *, gamma, lam):
    values = np.asarray(values, dtype=float)
    trace = np.zeros_like(values)
    total = np.zeros_like(values)
    for t, s in enumerate(states):
        following = values[states[t + 1]] if t + 1 < len(states) else 0.0
        delta = rewards[t] + gamma * following - values[s]
        trace = gamma * lam * trace
        trace[s] += 1.0
        total += delta * trace
    return total


def lambda_only_decay(states, rewards, values, *, gamma, lam):
    """Forgets gamma in the trace's decay."""
    return correct(states, rewards, values, gamma=gamma, lam=lam / gamma if gamma > 0 else lam)


def replacing_trace(states, rewards, values, *, gamma, lam):
    values = np.asarray(values, dtype=float)
    trace = np.zeros_like(values)
    total = np.zeros_like(values)
    for t, s in enumerate(states):
        following = values[states[t + 1]] if t + 1 < len(states) else 0.0
        delta = rewards[t] + gamma * following - values[s]
        trace = gamma * lam * trace
        trace[s] = 1.0  # replaces instead of accumulating
        total += delta * trace
    return total


def no_terminal(states, rewards, values, *, gamma, lam):
    """Bootstraps the last step from V(s_{T-1}) instead of the terminal value 0."""
    values = np.asarray(values, dtype=float)
    trace = np.zeros_like(values)
    total = np.zeros_like(values)
    for t, s in enumerate(states):
        following = values[states[min(t + 1, len(states) - 1)]]
        delta = rewards[t] + gamma * following - values[s]
        trace = gamma * lam * trace
        trace[s] += 1.0
        total += delta * trace
    return total


def not_implemented(states, rewards, values, *, gamma, lam):
    raise NotImplementedError


def test_correct_implementations_pass():
    assert check_td_lambda_episode(correct, quiet=True)
    # the forward view gives the same numbers: the offline-equivalence theorem
    assert check_td_lambda_episode(lambda_return_increments, quiet=True)


def test_wrong_implementations_fail():
    for wrong in (lambda_only_decay, replacing_trace, no_terminal):
        result = check_td_lambda_episode(wrong, quiet=True)
        assert not result and "First failure" in result.report, wrong.__name__


def test_stub_raises_not_implemented_after_a_friendly_message(capsys):
    with pytest.raises(NotImplementedError):
        check_td_lambda_episode(not_implemented)
    assert "not implemented" in capsys.readouterr().out
