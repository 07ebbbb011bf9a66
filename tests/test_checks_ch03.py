"""The chapter 3 self-checks accept a correct answer and reject wrong ones."""

import numpy as np
import pytest

from gaebook.checks import check_reward_to_go, check_softmax_score


def good_rtg(rewards, gamma):
    out, following = np.zeros_like(rewards), 0.0
    for t in reversed(range(len(rewards))):
        following = rewards[t] + gamma * following
        out[t] = following
    return out


def rtg_forward_cumsum(rewards, gamma):  # sums the past instead of the future
    return np.array([sum(gamma ** (t - k) * rewards[k] for k in range(t + 1)) for t in range(len(rewards))])


def rtg_erratum(rewards, gamma):  # r_t inside the sum where r_{t'} is meant
    T = len(rewards)
    return np.array([sum(gamma ** (k - t) * rewards[t] for k in range(t, T)) for t in range(T)])


def rtg_no_discount(rewards, gamma):
    return np.cumsum(rewards[::-1])[::-1]


def test_correct_reward_to_go_passes():
    assert check_reward_to_go(good_rtg, quiet=True)


@pytest.mark.parametrize("wrong", [rtg_forward_cumsum, rtg_erratum, rtg_no_discount])
def test_wrong_reward_to_go_fails(wrong):
    result = check_reward_to_go(wrong, quiet=True)
    assert not result and "First failure" in result.report


def test_not_implemented_is_raised_after_a_friendly_message(capsys):
    def todo(rewards, gamma):
        raise NotImplementedError

    with pytest.raises(NotImplementedError):
        check_reward_to_go(todo)
    assert "not implemented" in capsys.readouterr().out


def good_score(logits, action):
    z = logits - logits.max()
    p = np.exp(z) / np.exp(z).sum()
    return np.eye(len(logits))[action] - p


def score_sign_flipped(logits, action):
    return -good_score(logits, action)


def score_unstable(logits, action):
    p = np.exp(logits) / np.exp(logits).sum()
    return np.eye(len(logits))[action] - p


def test_correct_softmax_score_passes():
    assert check_softmax_score(good_score, quiet=True)


@pytest.mark.parametrize("wrong", [score_sign_flipped, score_unstable])
def test_wrong_softmax_score_fails(wrong):
    with np.errstate(all="ignore"):
        assert not check_softmax_score(wrong, quiet=True)
