"""The chapter 10 self-check passes a correct answer and catches typical mistakes."""

from __future__ import annotations

import numpy as np
import pytest

from gaebook.checks import check_state_values


def correct(P, R, pi, gamma):
    P_pi = np.einsum("sa,sat->st", pi, P)
    r_pi = (pi * R).sum(axis=1)
    return np.linalg.solve(np.eye(len(r_pi)) - gamma * P_pi, r_pi)


def transposed(P, R, pi, gamma):  # uses P_pi^T: the value of "arriving in" a state
    P_pi = np.einsum("sa,sat->st", pi, P)
    r_pi = (pi * R).sum(axis=1)
    return np.linalg.solve(np.eye(len(r_pi)) - gamma * P_pi.T, r_pi)


def ignores_policy(P, R, pi, gamma):  # uniform over actions instead of pi
    A = R.shape[1]
    return correct(P, R, np.full_like(pi, 1.0 / A), gamma)


def few_iterations(P, R, pi, gamma):  # value iteration stopped after 20 sweeps
    P_pi = np.einsum("sa,sat->st", pi, P)
    r_pi = (pi * R).sum(axis=1)
    V = np.zeros_like(r_pi)
    for _ in range(20):
        V = r_pi + gamma * P_pi @ V
    return V


def test_correct_solution_passes():
    result = check_state_values(correct, quiet=True)
    assert result and result.n_cases >= 5


def test_transposed_transition_matrix_fails():
    assert not check_state_values(transposed, quiet=True)


def test_ignoring_the_policy_fails():
    assert not check_state_values(ignores_policy, quiet=True)


def test_truncated_value_iteration_fails():
    assert not check_state_values(few_iterations, quiet=True)


def test_not_implemented_is_raised_after_a_friendly_message(capsys):
    def todo(P, R, pi, gamma):
        raise NotImplementedError

    with pytest.raises(NotImplementedError):
        check_state_values(todo)
    assert "not implemented" in capsys.readouterr().out
