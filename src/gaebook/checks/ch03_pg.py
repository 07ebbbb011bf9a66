"""Self-checks for chapter 3 (the policy gradient theorem)."""

from __future__ import annotations

import numpy as np

from ..softmax import softmax_score
from ..trajectories import reward_to_go
from ._runner import Case, run_check

__all__ = ["check_reward_to_go", "check_softmax_score"]


def _rtg_reference(rewards, gamma):
    return reward_to_go(rewards, gamma=gamma)


def check_reward_to_go(candidate, *, quiet: bool = False):
    """Check ``candidate(rewards, gamma)`` returning the reward-to-go of one trajectory.

    ``rewards`` is a ``[T]`` float array; the expected output is the ``[T]`` array
    :math:`\\hat R_t = \\sum_{t' \\ge t} \\gamma^{t'-t} r_{t'}`.
    """
    rng = np.random.default_rng(303)
    cases = [
        Case("three steps, gamma = 0.5", (np.array([1.0, 2.0, 3.0]), 0.5)),
        Case("one step (T = 1)", (np.array([4.0]), 0.9)),
        Case("gamma = 1: plain sums of the remaining rewards", (np.array([1.0, -1.0, 2.0, 0.5]), 1.0)),
        Case("gamma = 0: each step keeps only its own reward", (np.array([1.0, -1.0, 2.0]), 0.0)),
        Case("rewards that differ at every step", (np.array([0.0, 0.0, 0.0, 10.0]), 0.9)),
    ]
    for i in range(6):
        T = int(rng.integers(2, 9))
        cases.append(Case(f"random rewards, T = {T}", (rng.normal(size=T), float(rng.uniform(0.5, 1.0)))))
    return run_check("reward_to_go", candidate, _rtg_reference, cases, quiet=quiet)


def check_softmax_score(candidate, *, quiet: bool = False):
    """Check ``candidate(logits, action)``: the score of one softmax action, a ``[n]`` array."""
    rng = np.random.default_rng(304)
    cases = [
        Case("two equal logits, action 0", (np.array([0.0, 0.0]), 0)),
        Case("three logits, action 2", (np.array([1.0, -0.5, 2.0]), 2)),
        Case("large logits (stability)", (np.array([800.0, 801.0, 799.0]), 1)),
        Case("one action only", (np.array([0.3]), 0)),
    ]
    for _ in range(6):
        n = int(rng.integers(2, 7))
        cases.append(Case(f"random logits, n = {n}", (rng.normal(scale=2.0, size=n), int(rng.integers(n)))))
    return run_check(
        "softmax_score", candidate, lambda z, a: softmax_score(z, np.int64(a)), cases, atol=1e-8, quiet=quiet
    )
