"""The chapter 14 self-check passes a correct masked token GAE and catches the padding mistakes."""

import numpy as np

from gaebook.checks import check_token_gae
from gaebook.tokens import token_gae


def _backward(delta, carry):
    adv = np.zeros_like(delta)
    running = np.zeros(delta.shape[0])
    for t in reversed(range(delta.shape[1])):
        running = delta[:, t] + carry[:, t] * running
        adv[:, t] = running
    return adv


def correct(rewards, values, response_mask, *, gamma, lam):
    m = np.asarray(response_mask, bool)
    r, v = np.where(m, rewards, 0.0), np.where(m, values, 0.0)
    nm = np.zeros_like(m)
    nm[:, :-1] = m[:, 1:]
    nv = np.zeros_like(v)
    nv[:, :-1] = v[:, 1:]
    adv = _backward(np.where(m, r + gamma * nm * nv - v, 0.0), gamma * lam * nm)
    return adv, np.where(m, adv + v, 0.0)


def pads_leak(rewards, values, response_mask, *, gamma, lam):
    """Bootstraps the last real token from the value stored on the first pad."""
    m = np.asarray(response_mask, bool)
    r, v = np.where(m, rewards, 0.0), np.nan_to_num(values, posinf=0.0)
    nv = np.zeros_like(v)
    nv[:, :-1] = v[:, 1:]
    nm = np.zeros_like(m)
    nm[:, :-1] = m[:, 1:]
    return np.where(m, _backward(r + gamma * nv - v, gamma * lam * nm), 0.0)


def nan_times_zero(rewards, values, response_mask, *, gamma, lam):
    """Masks by multiplying: NaN * 0 is NaN, so the NaN on pads spreads."""
    m = np.asarray(response_mask, float)
    with np.errstate(invalid="ignore"):
        nv = np.zeros_like(values)
        nv[:, :-1] = values[:, 1:] * m[:, 1:]
        nm = np.zeros_like(m)
        nm[:, :-1] = m[:, 1:]
        return _backward((rewards + gamma * nv - values) * m, gamma * lam * nm) * m


def masked_first_then_full_row(rewards, values, response_mask, *, gamma, lam):
    """Zeroes rewards and values on pads first, then runs GAE over the whole row: correct."""
    m = np.asarray(response_mask, bool)
    r, v = np.where(m, rewards, 0.0), np.where(m, values, 0.0)
    nv = np.zeros_like(v)
    nv[:, :-1] = v[:, 1:]
    carry = np.full(m.shape, gamma * lam)
    return np.where(m, _backward(r + gamma * nv - v, carry), 0.0)


def rows_run_together(rewards, values, response_mask, *, gamma, lam):
    """Flattens the real tokens but forgets that each row's last token terminates."""
    m = np.asarray(response_mask, bool)
    r, v = rewards[m], values[m]
    nv = np.append(v[1:], 0.0)
    adv = _backward((r + gamma * nv - v)[None, :], np.full((1, r.size), gamma * lam))[0]
    out = np.zeros(m.shape)
    out[m] = adv
    return out


def test_library_passes_its_own_check():
    assert check_token_gae(token_gae, quiet=True)


def test_correct_pair_passes():
    result = check_token_gae(correct, quiet=True)
    assert result.passed, result.report


def test_correct_advantages_alone_pass():
    assert check_token_gae(lambda *a, **k: correct(*a, **k)[0], quiet=True)


def test_bootstrapping_from_the_first_pad_fails():
    assert not check_token_gae(pads_leak, quiet=True)


def test_masking_by_multiplication_fails_on_nan_pads():
    result = check_token_gae(nan_times_zero, quiet=True)
    assert not result.passed
    assert "NaN" in result.report or "nan" in result.report


def test_masking_rewards_and_values_first_is_enough():
    # zeros on pads add nothing when carried back, so this variant is correct
    assert check_token_gae(masked_first_then_full_row, quiet=True)


def test_rows_run_together_fail():
    assert not check_token_gae(rows_run_together, quiet=True)


def test_wrong_returns_fail():
    def pair(rewards, values, response_mask, *, gamma, lam):
        adv, _ = correct(rewards, values, response_mask, gamma=gamma, lam=lam)
        return adv, adv  # forgot + values

    assert not check_token_gae(pair, quiet=True)
