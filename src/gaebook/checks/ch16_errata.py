"""Self-check for chapter 16 (:ref:`ch16`): translating CleanRL's ``dones`` into the book's flags.

CleanRL stores ``dones[t] = 1`` when observation ``t`` is the *first* of an
episode and keeps ``next_done`` for the observation after the rollout. The
book's ``done[t]`` says that transition ``t`` *ended* an episode. The reader
writes ``my_flags(dones, next_done)`` returning the book's ``done`` array
``[T]``; the check compares with :func:`gaebook.rollout.from_episode_starts`.
"""

from __future__ import annotations

import numpy as np

from ..rollout import from_episode_starts
from ._runner import Case, run_check

__all__ = ["check_done_flags"]


def _reference(dones, next_done):
    flags, _ = from_episode_starts(np.asarray(dones, dtype=bool), bool(next_done))
    return flags


def flag_cases(seed: int = 16, n_random: int = 12) -> list[Case]:
    rng = np.random.default_rng(seed)
    cases = []

    def add(label, dones, next_done):
        cases.append(Case(f"{label}: dones={np.asarray(dones, int).tolist()}, "
                          f"next_done={int(next_done)}", (np.asarray(dones, bool), next_done)))

    add("one step, episode continues", [False], False)
    add("one step, next observation starts an episode", [False], True)
    add("rollout starts an episode", [True, False, False, False], False)
    add("episode ends in the middle", [False, False, True, False, False], False)
    add("episode ends at the rollout's last step", [False, False, False], True)
    add("every step its own episode", [True, True, True, True], True)
    for i in range(n_random):
        T = int(rng.integers(2, 20))
        add(f"random rollout {i + 1}", rng.random(T) < 0.25, bool(rng.random() < 0.3))
    return cases


def check_done_flags(my_flags, *, seed: int = 16, quiet: bool = False):
    """Check ``my_flags(dones, next_done)`` (chapter 16, exercise); compared exactly."""
    return run_check("done flags", my_flags, _reference, flag_cases(seed),
                     compare=lambda e, g: np.array_equal(np.asarray(e, bool),
                                                         np.asarray(g, dtype=bool))
                     and np.shape(g) == np.shape(e), quiet=quiet)
