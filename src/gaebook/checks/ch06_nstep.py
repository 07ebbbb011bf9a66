"""Self-check for chapter 6: k-step advantages with episode boundaries (:ref:`ch06`).

``check_nstep_advantages(my_nstep)`` runs the reader's function on seeded
random rollouts and on the chapter's edge cases (a boundary inside the k-step
window, termination with a NaN bootstrap, truncation, ``k`` larger than the
rollout, ``k = 1``, several environments) and compares with
:func:`gaebook.nstep_advantages`.
"""

from __future__ import annotations

import numpy as np

from ..nstep import nstep_advantages
from ._runner import Case, CheckResult, run_check

__all__ = ["check_nstep_advantages"]


def _rollout(rng, shape, *, p_term=0.15, p_trunc=0.1):
    terminated = rng.random(shape) < p_term
    truncated = rng.random(shape) < p_trunc
    values = rng.normal(size=shape)
    next_values = np.empty(shape)
    next_values[:-1] = values[1:]  # a real critic: next_values[t] == values[t+1] inside an episode
    next_values[-1] = rng.normal(size=shape[1:])
    ends = terminated | truncated
    next_values[ends] = rng.normal(size=int(ends.sum()))  # final observations of cut episodes
    next_values[terminated] = np.nan  # ignored where terminated
    return (rng.normal(size=shape), values, next_values, terminated, truncated)


def _cases(seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    f, t = False, True
    r = np.array([1.0, 0.0, 2.0, -1.0, 0.5, 1.5])
    v = np.array([0.5, 1.0, 0.2, 0.8, -0.3, 0.4])
    one_episode = np.array([1.0, 0.2, 0.8, -0.3, 0.4, 0.9])  # next_values = values shifted, bootstrap 0.9
    no = np.zeros(6, bool)
    cases = [
        Case("one episode, k = 3", (r, v, one_episode, no, no), {"gamma": 0.9, "k": 3}),
        Case("one episode, k = 1 (the TD error)", (r, v, one_episode, no, no), {"gamma": 0.9, "k": 1}),
        Case("k larger than the rollout", (r, v, one_episode, no, no), {"gamma": 0.9, "k": 50}),
        Case("terminated at step 2 (next_values[2] is NaN): sums stop there", (
            r, v, np.array([1.0, 0.2, np.nan, -0.3, 0.4, 0.9]),
            np.array([f, f, t, f, f, f]), no), {"gamma": 0.9, "k": 4}),
        Case("truncated at step 2: bootstrap next_values[2], values[3] belongs to the next episode", (
            r, v, np.array([1.0, 0.2, 5.0, -0.3, 0.4, 0.9]),
            no, np.array([f, f, t, f, f, f])), {"gamma": 0.9, "k": 4}),
        Case("length-one episodes", (r, v, np.array([np.nan, 2.0, np.nan, 1.0, 0.4, 0.9]),
             np.array([t, f, t, f, f, f]), np.array([f, t, f, t, f, f])), {"gamma": 0.8, "k": 3}),
        Case("gamma = 1", _rollout(rng, (8,)), {"gamma": 1.0, "k": 3}),
        Case("T = 1", (np.array([1.0]), np.array([0.5]), np.array([2.0]), np.array([f]), np.array([f])),
             {"gamma": 0.9, "k": 2}),
        Case("several environments [T, N]", _rollout(rng, (9, 3)), {"gamma": 0.95, "k": 4}),
    ]
    for i in range(6):
        shape = (int(rng.integers(1, 14)),) if i % 2 == 0 else (int(rng.integers(2, 12)), int(rng.integers(1, 4)))
        k = int(rng.integers(1, 7))
        gamma = float(rng.choice([0.9, 0.99, 0.5]))
        cases.append(Case(f"random rollout {i + 1}, shape {shape}, k = {k}", _rollout(rng, shape),
                          {"gamma": gamma, "k": k}))
    return cases


def check_nstep_advantages(my_nstep, *, seed: int = 6, quiet: bool = False) -> CheckResult:
    """Check ``my_nstep(rewards, values, next_values, terminated, truncated, *, gamma, k)``.

    The result must equal ``sum_{l=0}^{k-1} gamma**l * delta[t+l]``, the sum stopping
    after the last step of the episode (a terminated or truncated step) or of the
    rollout. Returns a truthy CheckResult when all cases pass; prints a short
    report unless ``quiet``.
    """
    return run_check("nstep_advantages", my_nstep, nstep_advantages, _cases(seed), rtol=1e-9, atol=1e-12,
                     quiet=quiet)
