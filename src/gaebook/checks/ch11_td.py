"""Self-check for chapter 11 (:ref:`ch11`): the summed TD(λ) updates of one episode.

The reader writes ``my_td_lambda`` with the signature of
:func:`gaebook.td_learning.td_lambda_increments`::

    my_td_lambda(states, rewards, values, *, gamma, lam) -> array [n_states]

``states[t]`` is the index of :math:`s_t` in ``values`` (the value table),
``rewards[t]`` is :math:`r_t`, and the episode terminates after its last step.
The function returns :math:`\\sum_t \\delta_t e_t` with an accumulating trace
:math:`e_t = \\gamma\\lambda e_{t-1} + \\nabla V(s_t)`, the table held fixed.
"""

from __future__ import annotations

import numpy as np

from ..td_learning import td_lambda_increments
from ._runner import Case, run_check

__all__ = ["check_td_lambda_episode"]


def _case(rng, label, states, n_states, *, gamma=None, lam=None):
    states = np.asarray(states, dtype=np.int64)
    rewards = np.round(rng.normal(size=states.size), 3)
    values = np.round(rng.normal(size=n_states), 3)
    gamma = float(np.round(rng.uniform(0.5, 1.0), 3)) if gamma is None else gamma
    lam = float(np.round(rng.uniform(0.0, 1.0), 3)) if lam is None else lam
    text = f"{label}: T={states.size}, n_states={n_states}, states={states.tolist()}, gamma={gamma}, lam={lam}"
    return Case(text, (states, rewards, values), {"gamma": gamma, "lam": lam})


def td_lambda_cases(seed: int = 11, n_random: int = 20) -> list[Case]:
    """Edge cases of the chapter plus ``n_random`` random episodes (with revisits)."""
    rng = np.random.default_rng(seed)
    cases = [
        _case(rng, "one step (T=1)", [2], 5),
        _case(rng, "no revisits", [0, 1, 2, 3], 5),
        _case(rng, "one state visited three times in a row", [1, 1, 1], 3),
        _case(rng, "a state revisited later (the trace accumulates)", [2, 1, 2, 3, 2], 5),
        _case(rng, "lam = 0 (TD(0))", [0, 1, 0, 1], 2, lam=0.0),
        _case(rng, "lam = 1, gamma = 1 (Monte Carlo)", [1, 2, 1, 0], 3, gamma=1.0, lam=1.0),
        _case(rng, "gamma < 1 with lam = 1", [0, 1, 2, 1, 2], 3, gamma=0.8, lam=1.0),
        _case(rng, "gamma = 0", [0, 1, 0], 2, gamma=0.0),
        _case(rng, "unvisited states get no update", [3, 4, 3], 7),
    ]
    for i in range(n_random):
        n = int(rng.integers(1, 8))
        T = int(rng.integers(1, 14))
        cases.append(_case(rng, f"random episode {i + 1}", rng.integers(0, n, size=T), n))
    return cases


def check_td_lambda_episode(my_td_lambda, *, seed: int = 11, quiet: bool = False):
    """Check a reader's summed TD(λ) updates of one episode (chapter 11, exercise).

    Compares with :func:`gaebook.td_learning.td_lambda_increments` on a
    single step, revisited states, ``lam`` 0 and 1, ``gamma`` 0 and below 1,
    unvisited states and random episodes. Tolerance: relative 1e-6, absolute
    1e-8 (machine precision with room for the order of summation).

    Returns:
        A :class:`~gaebook.checks.CheckResult`, truthy when every case passed.
    """
    return run_check("td_lambda_episode", my_td_lambda, td_lambda_increments, td_lambda_cases(seed), quiet=quiet)
