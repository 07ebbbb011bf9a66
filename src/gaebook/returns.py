"""Discounted and λ-returns (chapters 5 and 8, :ref:`ch08`)."""

from __future__ import annotations

import numpy as np

from ._validation import check_rollout, check_unit_interval

__all__ = ["discounted_returns", "lambda_returns"]


def discounted_returns(rewards, next_values, terminated, truncated, *, gamma):
    r"""Discounted return :math:`G_t = r_t + \gamma G_{t+1}` within each episode.

    At the episode's last step the return bootstraps: with 0 after a
    terminated step, with ``next_values[t]`` after a truncated step or at the
    end of the rollout. This is the Monte Carlo target; ``G - values`` is the
    :math:`\lambda = 1` GAE.

    Args:
        rewards, next_values, terminated, truncated: as in :func:`gaebook.gae`.
        gamma: discount in [0, 1].

    Returns:
        Returns with the inputs' shape and float dtype.
    """
    return lambda_returns(rewards, next_values, terminated, truncated, gamma=gamma, lam=1.0)


def lambda_returns(rewards, next_values, terminated, truncated, *, gamma, lam):
    r"""The λ-return by its backward recursion (chapter 8).

    .. math::

        R_t(\lambda) = r_t + \gamma (1 - \mathrm{terminated}_t)
            \bigl[(1 - \lambda) V'_t + \lambda R_{t+1}(\lambda)\bigr],

    where :math:`V'_t` is ``next_values[t]`` and, at the episode's last step
    (truncated, or the last step of the rollout), :math:`R_{t+1}(\lambda)` is
    replaced by :math:`V'_t`. Within one episode whose ``next_values[t]`` equals
    ``values[t+1]``, ``lambda_returns(...) - values`` equals :func:`gaebook.gae`.

    Args:
        rewards, next_values, terminated, truncated: as in :func:`gaebook.gae`.
        gamma: discount in [0, 1].
        lam: :math:`\lambda` in [0, 1].

    Returns:
        λ-returns with the inputs' shape and float dtype.
    """
    ro = check_rollout(rewards, None, next_values, terminated, truncated)
    gamma = check_unit_interval("gamma", gamma)
    lam = check_unit_interval("lam", lam)
    boot = ro.bootstrap
    T = boot.shape[0]
    out = np.empty_like(boot)
    following = boot[-1]  # R_{t+1}(λ) of the step after t; unused at t = T - 1
    for t in range(T - 1, -1, -1):
        cut = ro.done[t] | (t == T - 1)  # the episode's (or rollout's) last step
        tail = np.where(cut, boot[t], (1.0 - lam) * boot[t] + lam * following)
        out[t] = ro.rewards[t] + gamma * tail  # boot is 0 after a terminated step
        following = out[t]
    return ro.out(out)
