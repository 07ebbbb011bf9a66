"""Generalized Advantage Estimation (chapter 7, :ref:`ch07`)."""

from __future__ import annotations

import numpy as np

from ._validation import check_rollout, check_unit_interval

__all__ = ["gae"]


def gae(rewards, values, next_values, terminated, truncated, *, gamma, lam):
    r"""Generalized Advantage Estimation by one backward pass.

    .. math::

        \delta_t = r_t + \gamma (1 - \mathrm{terminated}_t)\, V'_t - V(s_t), \qquad
        \hat A_t = \delta_t + \gamma \lambda (1 - \mathrm{done}_t)\, \hat A_{t+1},

    with :math:`\mathrm{done}_t = \mathrm{terminated}_t \lor \mathrm{truncated}_t`
    and :math:`\hat A_T = 0`. Within an episode this is
    :math:`\hat A_t = \sum_l (\gamma\lambda)^l \delta_{t+l}`, the sum stopping at
    the episode's last step (chapter 7, theorem *thm-gae-weighted-average*).

    Args:
        rewards: ``[T]`` or ``[T, N]`` floats, ``rewards[t] = r_t``.
        values: same shape, ``values[t] = V(s_t)``.
        next_values: same shape, the value of the observation that action
            ``a_t`` led to: for a truncated step the episode's final
            observation, for the rollout's last step the bootstrap value.
            Ignored (may be NaN) where ``terminated``.
        terminated: booleans, the transition at ``t`` reached a terminal state.
        truncated: booleans, the episode was cut after step ``t`` (time limit
            or end of data). A step that is both counts as terminated.
        gamma: discount in [0, 1].
        lam: GAE parameter :math:`\lambda` in [0, 1].

    Returns:
        ``(advantages, returns)`` with ``returns = advantages + values``, in the
        inputs' shape and float dtype. The inputs are not modified.
    """
    ro = check_rollout(rewards, values, next_values, terminated, truncated)
    gamma = check_unit_interval("gamma", gamma)
    lam = check_unit_interval("lam", lam)
    delta = ro.rewards + gamma * ro.bootstrap - ro.values
    carry = gamma * lam * ~ro.done  # 0 where the episode ends after step t
    advantages = np.empty_like(delta)
    running = np.zeros_like(delta[0])
    for t in range(delta.shape[0] - 1, -1, -1):  # one vectorised step per time index
        running = delta[t] + carry[t] * running
        advantages[t] = running
    return ro.out(advantages), ro.out(advantages + ro.values)
