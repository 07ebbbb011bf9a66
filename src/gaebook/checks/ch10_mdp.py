"""Self-check for chapter 10: exact state values of a policy by one linear solve."""

from __future__ import annotations

import numpy as np

from ..finite_mdp import FiniteMDP
from ._runner import Case, run_check

__all__ = ["check_state_values"]


def _reference(transitions, rewards, policy, gamma):
    return FiniteMDP(transitions, rewards, gamma=gamma).state_values(policy)


def _cases():
    rng = np.random.default_rng(1010)
    cases = []
    for i, (S, A, gamma) in enumerate([(2, 2, 0.9), (5, 3, 0.9), (6, 2, 0.5), (4, 4, 0.99), (7, 3, 0.0)]):
        P = rng.dirichlet(np.full(S, 0.5), size=(S, A))
        R = rng.normal(size=(S, A))
        pi = rng.dirichlet(np.ones(A), size=S)
        cases.append(Case(f"random MDP {i + 1}: {S} states, {A} actions, gamma={gamma}", (P, R, pi, gamma)))
    # edge cases: one action (a Markov reward process), a deterministic cycle, a deterministic policy
    P1 = rng.dirichlet(np.ones(3), size=(3, 1))
    cases.append(Case("one action: a Markov reward process", (P1, rng.normal(size=(3, 1)), np.ones((3, 1)), 0.8)))
    cycle = np.zeros((3, 2, 3))
    for s in range(3):
        cycle[s, 0, (s + 1) % 3] = 1.0  # action 0 moves on
        cycle[s, 1, s] = 1.0  # action 1 stays
    cases.append(
        Case(
            "deterministic cycle, deterministic policy (always action 0)",
            (cycle, np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 5.0]]), np.array([[1.0, 0.0]] * 3), 0.9),
        )
    )
    cases.append(
        Case(
            "deterministic cycle, policy that stays in states 1 and 2",
            (cycle, np.array([[1.0, 0.0], [0.0, 0.5], [0.0, 5.0]]), np.array([[1.0, 0.0], [0.0, 1.0], [0.3, 0.7]]), 0.9),
        )
    )
    return cases


def check_state_values(state_values, *, quiet=False):
    r"""Check ``state_values(transitions, rewards, policy, gamma) -> V`` against the exact :math:`V^\pi`.

    ``transitions`` is ``[S, A, S]``, ``rewards`` ``[S, A]``, ``policy`` ``[S, A]``
    (rows are distributions), ``gamma`` in [0, 1); the answer is the ``[S]``
    vector solving :math:`V = r_\pi + \gamma P_\pi V`. Tolerance 1e-8.
    """
    return run_check("state_values", state_values, _reference, _cases(), rtol=1e-8, atol=1e-8, quiet=quiet)
