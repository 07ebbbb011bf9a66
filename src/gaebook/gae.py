"""Generalized Advantage Estimation (chapter 7, :ref:`ch07`; fast kernel: chapter 15, :ref:`ch15`)."""

from __future__ import annotations

import numpy as np

from ._scan import discounted_backward, get_backend
from ._validation import check_discount, check_rollout

__all__ = ["gae", "gae_reference"]


def gae(rewards, values, next_values, terminated, truncated, *, gamma, lam):
    r"""Generalized Advantage Estimation by one backward pass.

    .. math::

        \delta_t = r_t + \gamma (1 - \mathrm{terminated}_t)\, V'_t - V(s_t), \qquad
        \hat A_t = \delta_t + \gamma \lambda (1 - \mathrm{done}_t)\, \hat A_{t+1},

    with :math:`\mathrm{done}_t = \mathrm{terminated}_t \lor \mathrm{truncated}_t`
    and :math:`\hat A_T = 0`. Within an episode this is
    :math:`\hat A_t = \sum_l (\gamma\lambda)^l \delta_{t+l}`, the sum stopping at
    the episode's last step (chapter 7, theorem *thm-gae-weighted-average*).

    The backward pass is the shared kernel of chapter 15
    (``gaebook._scan.discounted_backward``): it chooses, by the arrays' shape,
    a method that gives the numbers of :func:`gae_reference` in O(T N) time:
    bit for bit when it runs the loop (``N >= 1024``) or the segmented
    ``lfilter`` (numbers ``gamma`` and ``lam``, few episodes), else within a
    few rounding errors of the sum of :math:`(\gamma\lambda)^l |\delta_{t+l}|`.
    After ``gaebook.set_backend("numba")`` (optional numba installed) the whole
    computation is one compiled sweep (``gaebook._compiled.gae_sweep``), bit
    for bit equal to :func:`gae_reference`.

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
        gamma: discount in [0, 1]; or an array of them of the rewards' shape
            (``gamma[t]`` discounts the transition at ``t``, as rlax's
            ``discount_t``), or of shape ``[N]`` (one per environment).
        lam: GAE parameter :math:`\lambda` in [0, 1], with the same choice of
            shapes as ``gamma``.

    Returns:
        ``(advantages, returns)`` with ``returns = advantages + values``, in the
        inputs' shape and float dtype. Float32 inputs are accumulated in
        float32 (the error is then a few times ``2^-24`` times the sum of
        :math:`(\gamma\lambda)^l |\delta_{t+l}|`; chapter 15). The inputs are
        not modified.
    """
    ro = check_rollout(rewards, values, next_values, terminated, truncated, values_required=True)
    gamma = check_discount("gamma", gamma, ro)
    lam = check_discount("lam", lam, ro)
    if get_backend() == "numba" and isinstance(gamma, float) and isinstance(lam, float):
        from ._compiled import gae_fused  # one compiled sweep, the same numbers (chapter 15)

        advantages, returns = gae_fused(ro, gamma, lam)
        return ro.out(advantages), ro.out(returns)
    # delta_t = r_t + gamma V'_t - V_t, in place in one fresh array (V'_t = 0 where terminated)
    delta = np.where(ro.terminated, 0.0, ro.next_values).astype(ro.dtype, copy=False)
    delta *= gamma
    delta += ro.rewards  # the same rounding as r_t + (gamma V'_t)
    delta -= ro.values
    # A_t = delta_t + gamma lam (1 - done_t) A_{t+1}, A_T = 0, by the kernel of chapter 15
    advantages = discounted_backward(delta, gamma * lam, cut=ro.done)
    return ro.out(advantages), ro.out(advantages + ro.values)


def gae_reference(rewards, values, next_values, terminated, truncated, *, gamma, lam):
    r"""The readable reference for :func:`gae`: the backward loop over time, vectorised over environments.

    Same arguments, formula and results as :func:`gae` (chapter 7); one NumPy
    step per time index, so it costs about ``T`` NumPy calls whatever ``N``.
    """
    ro = check_rollout(rewards, values, next_values, terminated, truncated, values_required=True)
    gamma = check_discount("gamma", gamma, ro)
    lam = check_discount("lam", lam, ro)
    delta = ro.rewards + gamma * ro.bootstrap - ro.values
    carry = np.where(ro.done, 0.0, gamma * lam).astype(delta.dtype)  # 0 where the episode ends
    advantages = np.empty_like(delta)
    running = np.zeros_like(delta[0])
    for t in range(delta.shape[0] - 1, -1, -1):  # one vectorised step per time index
        running = delta[t] + carry[t] * running
        advantages[t] = running
    return ro.out(advantages), ro.out(advantages + ro.values)
