"""k-step advantage estimators (chapters 5 and 6, :ref:`ch06`)."""

from __future__ import annotations

import numbers

import numpy as np

from ._validation import check_rollout, check_unit_interval

__all__ = ["nstep_advantages"]


def nstep_advantages(rewards, values, next_values, terminated, truncated, *, gamma, k):
    r"""The k-step advantage :math:`\hat A^{(k)}_t = \sum_{l=0}^{k-1} \gamma^l \delta_{t+l}`.

    By the telescoping theorem of chapter 6 this equals
    :math:`-V(s_t) + \sum_{l<k} \gamma^l r_{t+l} + \gamma^k V(s_{t+k})`. The sum
    stops early at the end of the episode (after a terminated or truncated
    step) and at the end of the rollout, where the last TD error already
    carries the bootstrap value, so near a boundary fewer than ``k`` terms are
    used.

    Args:
        rewards, values, next_values, terminated, truncated: as in :func:`gaebook.gae`.
        gamma: discount in [0, 1].
        k: number of TD errors to sum, an integer ``>= 1``.

    Returns:
        Advantages with the inputs' shape and float dtype.
    """
    ro = check_rollout(rewards, values, next_values, terminated, truncated, values_required=True)
    gamma = check_unit_interval("gamma", gamma)
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, numbers.Integral) or k < 1:
        raise ValueError(f"k must be an integer >= 1, got {k!r}")
    delta = ro.rewards + gamma * ro.bootstrap - ro.values
    T = delta.shape[0]
    done = ro.done
    out = np.zeros_like(delta)
    # alive[t] is True while step t + l still belongs to the episode of step t
    alive = np.ones_like(done)
    for l in range(min(int(k), T)):  # stops early once every episode has ended
        out[: T - l] += (gamma**l * delta[l:]) * alive[: T - l]
        alive[: T - l - 1] &= ~done[l : T - 1]
        alive[T - l - 1 :] = False
        if not alive.any():
            break
    return ro.out(out)
