"""Self-check for chapter 5: the one-step TD error (:ref:`ch05`).

``check_td_errors(my_td_errors)`` runs the reader's function on seeded random
rollouts and on the chapter's edge cases (termination with a NaN bootstrap,
truncation, both flags at once, ``T = 1``, several environments, ``gamma`` at
0 and 1) and compares with :func:`gaebook.td_errors`.
"""

from __future__ import annotations

import numpy as np

from ..td import td_errors
from ._runner import Case, CheckResult, run_check

__all__ = ["check_td_errors"]


def _rollout(rng, shape, *, p_term=0.2, p_trunc=0.15, nan_terminal=True):
    terminated = rng.random(shape) < p_term
    truncated = rng.random(shape) < p_trunc
    next_values = rng.normal(size=shape)
    if nan_terminal:
        next_values[terminated] = np.nan  # ignored where terminated
    return (rng.normal(size=shape), rng.normal(size=shape), next_values, terminated, truncated)


def _cases(seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    f, t = False, True
    cases = [
        Case("one episode, no boundaries", (
            np.array([1.0, 0.5, -1.0]), np.array([0.2, 0.4, 0.1]), np.array([0.4, 0.1, 0.3]),
            np.array([f, f, f]), np.array([f, f, f])), {"gamma": 0.9}),
        Case("terminated at step 1: bootstrap 0, next_values[1] is NaN and must be ignored", (
            np.array([1.0, 2.0, 0.5]), np.array([0.5, 1.0, 0.3]), np.array([1.0, np.nan, 0.7]),
            np.array([f, t, f]), np.array([f, f, f])), {"gamma": 0.9}),
        Case("truncated at step 1: still bootstraps from next_values[1]", (
            np.array([1.0, 2.0, 0.5]), np.array([0.5, 1.0, 0.3]), np.array([1.0, 4.0, 0.7]),
            np.array([f, f, f]), np.array([f, t, f])), {"gamma": 0.9}),
        Case("both flags at step 0: counts as terminated", (
            np.array([1.0, 2.0]), np.array([0.5, 1.0]), np.array([3.0, 0.7]),
            np.array([t, f]), np.array([t, f])), {"gamma": 0.9}),
        Case("T = 1", (np.array([1.0]), np.array([0.3]), np.array([2.0]), np.array([f]), np.array([f])),
             {"gamma": 0.5}),
        Case("gamma = 0: delta = r - V", _rollout(rng, (5,), nan_terminal=False), {"gamma": 0.0}),
        Case("gamma = 1", _rollout(rng, (6,)), {"gamma": 1.0}),
        Case("several environments [T, N]", _rollout(rng, (7, 3)), {"gamma": 0.95}),
    ]
    for i in range(6):
        shape = (int(rng.integers(1, 12)),) if i % 2 == 0 else (int(rng.integers(1, 10)), int(rng.integers(1, 4)))
        gamma = float(rng.choice([0.9, 0.99, 0.5, 1.0]))
        cases.append(Case(f"random rollout {i + 1}, shape {shape}", _rollout(rng, shape), {"gamma": gamma}))
    return cases


def check_td_errors(my_td_errors, *, seed: int = 5, quiet: bool = False) -> CheckResult:
    """Check ``my_td_errors(rewards, values, next_values, terminated, truncated, *, gamma)``.

    The result must equal ``r_t + gamma * (0 if terminated else next_values[t]) - values[t]``
    for every step, in the shape of ``rewards``. Returns a truthy CheckResult when all
    cases pass; prints a short report unless ``quiet``.
    """
    return run_check("td_errors", my_td_errors, td_errors, _cases(seed), rtol=1e-9, atol=1e-12, quiet=quiet)
