"""The chapter 6 self-check accepts a correct k-step advantage and rejects common mistakes."""

from __future__ import annotations

import numpy as np

from gaebook.checks import check_nstep_advantages


def _delta(rewards, values, next_values, terminated, gamma):
    return rewards + gamma * np.where(terminated, 0.0, next_values) - values


def correct(rewards, values, next_values, terminated, truncated, *, gamma, k):
    delta = _delta(rewards, values, next_values, terminated, gamma)
    done = terminated | truncated
    out = np.zeros_like(delta)
    T = len(delta)
    for t in range(T):
        alive = np.ones(delta.shape[1:], bool)  # per environment: still in the episode of step t
        for l in range(min(k, T - t)):
            out[t] += np.where(alive, gamma**l * delta[t + l], 0.0)
            alive &= ~done[t + l]
    return out


def crosses_boundaries(rewards, values, next_values, terminated, truncated, *, gamma, k):
    delta = _delta(rewards, values, next_values, terminated, gamma)
    out = np.zeros_like(delta)
    for l in range(k):
        out[: len(delta) - l] += gamma**l * delta[l:]
    return out


def off_by_one_power(rewards, values, next_values, terminated, truncated, *, gamma, k):
    return gamma * correct(rewards, values, next_values, terminated, truncated, gamma=gamma, k=k)  # gamma^(l+1)


def forgets_the_terminated_mask(rewards, values, next_values, terminated, truncated, *, gamma, k):
    return correct(rewards, values, np.nan_to_num(next_values, nan=1.0), np.zeros_like(terminated),
                   terminated | truncated, gamma=gamma, k=k)


def telescopes_with_values_across_boundary(rewards, values, next_values, terminated, truncated, *, gamma, k):
    """-V(s_t) + sum gamma^l r + gamma^k values[t+k]: ignores episode ends entirely."""
    T = len(rewards)
    vb = np.concatenate([values, next_values[-1:]])
    out = np.zeros_like(rewards, dtype=float)
    for t in range(T):
        m = min(k, T - t)
        out[t] = -values[t] + sum(gamma**l * rewards[t + l] for l in range(m)) + gamma**m * vb[t + m]
    return out


def test_correct_nstep_passes():
    assert check_nstep_advantages(correct, quiet=True)


def test_report_is_printed_unless_quiet(capsys):
    check_nstep_advantages(correct)
    assert "all" in capsys.readouterr().out


def test_summing_across_boundaries_fails():
    assert not check_nstep_advantages(crosses_boundaries, quiet=True)


def test_off_by_one_power_fails():
    assert not check_nstep_advantages(off_by_one_power, quiet=True)


def test_forgetting_the_terminated_mask_fails():
    assert not check_nstep_advantages(forgets_the_terminated_mask, quiet=True)


def test_telescoping_with_values_across_a_boundary_fails(capsys):
    assert not check_nstep_advantages(telescopes_with_values_across_boundary)
    assert "First failure" in capsys.readouterr().out
