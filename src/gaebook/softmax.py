"""Softmax (categorical) policies over logits (chapters 3, 4 and 10)."""

from __future__ import annotations

import numpy as np

__all__ = ["softmax", "log_softmax", "softmax_score"]


def _check_logits(logits) -> np.ndarray:
    z = np.asarray(logits)
    if z.dtype == np.bool_ or z.dtype.kind not in "fiu":
        raise ValueError(f"logits must be an array of real numbers, got dtype {z.dtype}")
    if z.ndim < 1 or z.shape[-1] < 1:
        raise ValueError(f"logits must have at least one action on the last axis, got shape {z.shape}")
    if not np.all(np.isfinite(z)):
        raise ValueError("logits must be finite (no NaN or inf)")
    return z.astype(np.result_type(z.dtype, np.float32), copy=False) if z.dtype.kind in "iu" else z


def log_softmax(logits) -> np.ndarray:
    r""":math:`\log \pi(a) = z_a - \log \sum_b e^{z_b}` over the last axis, computed stably."""
    z = _check_logits(logits)
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def softmax(logits) -> np.ndarray:
    r"""Action probabilities :math:`\pi(a) = e^{z_a} / \sum_b e^{z_b}` over the last axis."""
    return np.exp(log_softmax(logits))


def softmax_score(logits, actions) -> np.ndarray:
    r"""Score :math:`\nabla_z \log \pi(a) = e_a - \pi` with respect to the logits.

    Args:
        logits: ``[..., n_actions]`` real array.
        actions: integer array of shape ``logits.shape[:-1]``, entries in ``[0, n_actions)``.

    Returns:
        Array of the shape of ``logits``: one score vector per action taken.
    """
    z = _check_logits(logits)
    a = np.asarray(actions)
    if a.dtype.kind not in "iu":
        raise ValueError(f"actions must be integers, got dtype {a.dtype}")
    if a.shape != z.shape[:-1]:
        raise ValueError(f"actions must have shape {z.shape[:-1]} (logits without the last axis), got {a.shape}")
    n = z.shape[-1]
    if np.any((a < 0) | (a >= n)):
        raise ValueError(f"actions must lie in [0, {n}), got values outside")
    onehot = np.eye(n, dtype=z.dtype)[a]
    return onehot - softmax(z)
