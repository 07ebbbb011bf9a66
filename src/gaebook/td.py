"""One-step temporal-difference errors (chapter 5, :ref:`ch05`)."""

from __future__ import annotations

import numpy as np

from ._validation import all_finite, as_array, check_discount, check_rollout

__all__ = ["td_errors", "split_values"]


def td_errors(rewards, values, next_values, terminated, truncated, *, gamma):
    r"""TD errors :math:`\delta_t = r_t + \gamma (1 - d_t) V'_t - V(s_t)`.

    Here :math:`V'_t` is ``next_values[t]``, the value of the observation that
    action :math:`a_t` led to, and :math:`d_t` is ``terminated[t]``: a true
    terminal state is worth zero, so its ``next_values`` entry is ignored (it
    may even be NaN). A truncated step still bootstraps from ``next_values``.

    Args:
        rewards, values, next_values: float arrays of shape ``[T]`` or ``[T, N]``.
        terminated, truncated: boolean arrays of the same shape. ``truncated``
            does not change the TD error; it is accepted (and validated) so all
            estimators share one signature.
        gamma: discount in [0, 1], or an array of them (shapes as in :func:`gaebook.gae`).

    Returns:
        ``delta`` with the shape and float dtype of the inputs.
    """
    ro = check_rollout(rewards, values, next_values, terminated, truncated, values_required=True)
    gamma = check_discount("gamma", gamma, ro)
    delta = ro.rewards + gamma * ro.bootstrap - ro.values
    return ro.out(delta)


def split_values(values_with_bootstrap):
    """Split the ``[T + 1]`` values of one episode into ``values`` and ``next_values``.

    For a rollout that holds a single episode (or a single stretch of one),
    ``values_with_bootstrap[t] = V(s_t)`` for ``t = 0..T``, the last entry being
    the bootstrap value of the final observation. Then ``values`` is the first
    ``T`` entries and ``next_values`` the last ``T``.

    Do not use this for rollouts that cross an episode boundary: there the
    value after a reset belongs to the next episode (chapter 9).

    Args:
        values_with_bootstrap: float array of shape ``[T + 1]`` or ``[T + 1, N]``, ``T >= 1``.

    Returns:
        ``(values, next_values)``, each of shape ``[T]`` or ``[T, N]``.
    """
    v = as_array("values_with_bootstrap", values_with_bootstrap)
    if v.dtype == np.bool_ or v.dtype.kind not in "fiu":
        raise ValueError(f"values_with_bootstrap must be an array of real numbers, got dtype {v.dtype}")
    if v.ndim not in (1, 2) or v.shape[0] < 2:
        raise ValueError(
            f"values_with_bootstrap must have shape [T + 1] or [T + 1, N] with T >= 1, got {v.shape}"
        )
    if v.dtype.kind in "iu":
        v = v.astype(np.float64)
    if not all_finite(v):
        raise ValueError("values_with_bootstrap must be finite (no NaN or inf)")
    return v[:-1].copy(), v[1:].copy()
