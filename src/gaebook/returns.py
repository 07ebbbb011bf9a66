"""Discounted and λ-returns (chapters 5 and 8, :ref:`ch08`)."""

from __future__ import annotations

import numpy as np

from ._scan import discounted_backward
from ._validation import check_discount, check_rollout

__all__ = ["discounted_returns", "lambda_returns"]


def discounted_returns(rewards, next_values, terminated, truncated, *, gamma):
    r"""Discounted return :math:`G_t = r_t + \gamma G_{t+1}` within each episode.

    At the episode's last step the return bootstraps: with 0 after a
    terminated step, with ``next_values[t]`` after a truncated step or at the
    end of the rollout. This is the Monte Carlo target; ``G - values`` is the
    :math:`\lambda = 1` GAE.

    Args:
        rewards, next_values, terminated, truncated: as in :func:`gaebook.gae`.
        gamma: discount in [0, 1], or an array of them (shapes as in :func:`gaebook.gae`).

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

    The recursion is affine in :math:`R_{t+1}(\lambda)`, with coefficient
    :math:`\gamma\lambda` inside an episode and 0 at its last step, so it
    runs on the backward kernel of chapter 15, in O(T N) time.

    Args:
        rewards, next_values, terminated, truncated: as in :func:`gaebook.gae`.
        gamma: discount in [0, 1], or an array of them (shapes as in :func:`gaebook.gae`).
        lam: :math:`\lambda` in [0, 1], or an array of them (same shapes).

    Returns:
        λ-returns with the inputs' shape and float dtype.
    """
    ro = check_rollout(rewards, None, next_values, terminated, truncated)
    gamma = check_discount("gamma", gamma, ro)
    lam = check_discount("lam", lam, ro)
    boot = ro.bootstrap  # 0 after a terminated step
    cut = ro.done.copy()
    cut[-1] = True  # the episode's (or the rollout's) last step
    tail = np.where(cut, boot, (1.0 - lam) * boot)  # the part of the tail known at step t
    # R_t = r_t + gamma tail_t + gamma lam (1 - cut_t) R_{t+1}
    return ro.out(discounted_backward(ro.rewards + gamma * tail, gamma * lam, cut=cut))
