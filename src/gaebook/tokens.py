"""Advantages over tokens for language-model fine-tuning (chapter 14, :ref:`ch14`).

A batch of responses is a right-padded ``[B, L]`` array with a boolean
``response_mask``: row ``b`` holds ``n_b >= 1`` real tokens in columns
``0 .. n_b - 1`` and pads after them. Unlike the rest of the library these
arrays are batch-major, because that is how every RLHF code base stores
them; one row is one episode and its last real token ends it (a
termination, not a truncation). Values at pad positions are never read:
they may hold anything, even NaN.

- :func:`token_rewards`: per-token KL penalty plus the sequence score on
  the last real token;
- :func:`token_gae`: GAE along each row, equal to :func:`gaebook.gae` on the
  flattened rollout;
- :func:`group_advantages`: the critic-free advantages of GRPO, Dr. GRPO and
  RLOO for groups of responses to one prompt;
- :func:`masked_whiten`: whitening over the real tokens only.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

from ._validation import check_real_array, check_unit_interval

__all__ = ["token_rewards", "token_gae", "group_advantages", "masked_whiten", "GROUP_METHODS"]

#: The critic-free advantage rules :func:`group_advantages` knows.
GROUP_METHODS = ("grpo", "dr_grpo", "rloo")


def _check_mask(response_mask, *, name="response_mask") -> np.ndarray:
    """A ``[B, L]`` boolean mask whose rows are a non-empty prefix of ones (right padding)."""
    m = np.asarray(response_mask)
    if m.dtype != np.bool_:
        if m.dtype.kind not in "iu" or not np.all((m == 0) | (m == 1)):
            raise ValueError(f"{name} must be a boolean array (or integers 0 and 1), got dtype {m.dtype}")
        m = m.astype(bool)
    if m.ndim != 2 or m.shape[0] == 0 or m.shape[1] == 0:
        raise ValueError(f"{name} must have shape [B, L] with B, L >= 1, got shape {m.shape}")
    if not np.all(m[:, 0]):
        raise ValueError(f"{name} must hold at least one real token in every row (column 0 is a pad)")
    if np.any(~m[:, :-1] & m[:, 1:]):
        raise ValueError(f"{name} must be right-padded: a real token follows a pad in some row")
    return m


def _check_tokens(name, x, mask) -> np.ndarray:
    """A ``[B, L]`` float array shaped like ``mask``, finite on real tokens (pads may hold anything)."""
    arr = check_real_array(name, x, allow_nan=True)
    if arr.shape != mask.shape:
        raise ValueError(f"{name} must have the shape of response_mask {mask.shape}, got {arr.shape}")
    if not np.all(np.isfinite(arr[mask])):
        raise ValueError(f"{name} must be finite on real tokens (NaN or inf only on pads)")
    return arr


def _nonnegative(name, value) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Real, np.floating, np.integer)):
        raise ValueError(f"{name} must be a non-negative real number, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be finite and >= 0, got {value!r}")
    return value


def token_rewards(scores, logp, logp_ref, response_mask, *, kl_coef):
    r"""Per-token rewards of RLHF: a KL penalty on every token, the score on the last.

    .. math::

        r_{b,t} = -\beta\,(\log\pi(a_{b,t}) - \log\pi_{\mathrm{ref}}(a_{b,t}))
                  + \mathbb 1[t = n_b - 1]\, \mathrm{score}_b ,

    and :math:`r_{b,t} = 0` on pads (:math:`t \ge n_b`), with
    :math:`\beta` = ``kl_coef`` (chapter 14, :ref:`ch14`). The score goes on the
    last *real* token, never on the first pad.

    Args:
        scores: ``[B]`` sequence scores.
        logp: ``[B, L]`` log-probabilities of the sampled tokens under the policy.
        logp_ref: ``[B, L]`` the same under the reference policy.
        response_mask: ``[B, L]`` booleans, right-padded, at least one real token a row.
        kl_coef: :math:`\beta \ge 0`.

    Returns:
        ``[B, L]`` rewards in the inputs' float dtype; inputs are not modified.
        ``logp`` and ``logp_ref`` may hold NaN on pads.
    """
    mask = _check_mask(response_mask)
    s = check_real_array("scores", scores)
    if s.shape != (mask.shape[0],):
        raise ValueError(f"scores must have shape [B] = ({mask.shape[0]},), got {s.shape}")
    lp = _check_tokens("logp", logp, mask)
    lr = _check_tokens("logp_ref", logp_ref, mask)
    beta = _nonnegative("kl_coef", kl_coef)
    dtype = np.result_type(s, lp, lr)
    rewards = np.where(mask, -beta * (np.where(mask, lp, 0.0) - np.where(mask, lr, 0.0)), 0.0)
    rows = np.arange(mask.shape[0])
    rewards[rows, mask.sum(axis=1) - 1] += s
    return rewards.astype(dtype, copy=False)


def token_gae(rewards, values, response_mask, *, gamma=1.0, lam):
    r"""GAE along each right-padded row; the last real token terminates the episode.

    .. math::

        \delta_{b,t} = r_{b,t} + \gamma\, m_{b,t+1} V_{b,t+1} - V_{b,t}, \qquad
        \hat A_{b,t} = \delta_{b,t} + \gamma\lambda\, m_{b,t+1} \hat A_{b,t+1},

    for real tokens (:math:`m_{b,t} = 1`), with :math:`m_{b,L} = 0`: after the
    last real token the value is 0 (a termination), and pads contribute
    nothing. Pads get advantage and return 0, whatever ``rewards`` or
    ``values`` hold there, NaN included. This equals :func:`gaebook.gae` on
    the rollout that concatenates the rows' real tokens with ``terminated``
    at each row's last token (chapter 14, :ref:`ch14`).

    Args:
        rewards: ``[B, L]`` per-token rewards (e.g. from :func:`token_rewards`).
        values: ``[B, L]`` critic values :math:`V(s_{b,t})` of the state before token ``t``.
        response_mask: ``[B, L]`` booleans, right-padded, at least one real token a row.
        gamma: discount in [0, 1]; 1 in practice.
        lam: GAE parameter in [0, 1].

    Returns:
        ``(advantages, returns)``, each ``[B, L]``, ``returns = advantages + values``
        on real tokens and 0 on pads. Inputs are not modified.
    """
    mask = _check_mask(response_mask)
    r = _check_tokens("rewards", rewards, mask)
    v = _check_tokens("values", values, mask)
    gamma = check_unit_interval("gamma", gamma)
    lam = check_unit_interval("lam", lam)
    dtype = np.result_type(r, v)
    r = np.where(mask, r, 0.0)
    v = np.where(mask, v, 0.0)
    B, L = mask.shape
    next_mask = np.zeros_like(mask)
    next_mask[:, :-1] = mask[:, 1:]
    next_v = np.zeros_like(v)
    next_v[:, :-1] = v[:, 1:]
    delta = np.where(mask, r + gamma * next_mask * next_v - v, 0.0)
    carry = gamma * lam * next_mask
    advantages = np.zeros_like(delta)
    running = np.zeros(B, dtype=delta.dtype)
    for t in range(L - 1, -1, -1):  # one vectorised step per column
        running = delta[:, t] + carry[:, t] * running
        advantages[:, t] = running
    returns = np.where(mask, advantages + v, 0.0)
    return advantages.astype(dtype, copy=False), returns.astype(dtype, copy=False)


def group_advantages(scores, *, group_size, method, eps=1e-4):
    r"""Critic-free advantages for consecutive groups of ``group_size`` responses.

    For a group :math:`r_1, \dots, r_G` of responses to one prompt, with
    :math:`\bar r = \frac1G\sum_j r_j`:

    - ``"grpo"``: :math:`(r_i - \bar r)/(s + \varepsilon)`, where
      :math:`s = \sqrt{\frac{1}{G-1}\sum_j (r_j - \bar r)^2}` is the
      *unbiased* sample standard deviation (``ddof=1``, the default of
      ``torch.std`` that TRL and verl call) and :math:`\varepsilon` = ``eps``;
    - ``"dr_grpo"``: :math:`r_i - \bar r`;
    - ``"rloo"``: :math:`r_i - \frac{1}{G-1}\sum_{j\ne i} r_j
      = \frac{G}{G-1}(r_i - \bar r)`.

    (chapter 14, :ref:`ch14`.)

    Args:
        scores: ``[B]`` sequence scores, ``B`` a multiple of ``group_size``;
            rows ``g*G .. g*G + G - 1`` answer the same prompt.
        group_size: :math:`G \ge 2`.
        method: one of ``"grpo"``, ``"dr_grpo"``, ``"rloo"``.
        eps: :math:`\varepsilon > 0`, GRPO only (a group whose scores are all
            equal gets advantage 0).

    Returns:
        ``[B]`` advantages in the scores' float dtype; ``scores`` is not modified.
    """
    s = check_real_array("scores", scores)
    if s.ndim != 1 or s.size == 0:
        raise ValueError(f"scores must have shape [B] with B >= 1, got {s.shape}")
    if isinstance(group_size, (bool, np.bool_)) or not isinstance(group_size, (Integral, np.integer)):
        raise ValueError(f"group_size must be an integer >= 2, got {group_size!r}")
    G = int(group_size)
    if G < 2:
        raise ValueError(f"group_size must be >= 2, got {G}")
    if s.size % G:
        raise ValueError(f"group_size must divide the number of scores {s.size}, got {G}")
    if method not in GROUP_METHODS:
        raise ValueError(f"method must be one of {GROUP_METHODS}, got {method!r}")
    eps = _nonnegative("eps", eps)
    if eps == 0 and method == "grpo":
        raise ValueError("eps must be > 0 for method='grpo'")
    g = s.reshape(-1, G)
    centred = g - g.mean(axis=1, keepdims=True)
    if method == "dr_grpo":
        out = centred
    elif method == "rloo":
        out = centred * (G / (G - 1))
    else:
        out = centred / (g.std(axis=1, ddof=1, keepdims=True) + eps)
    return out.reshape(-1).astype(s.dtype, copy=False)


def masked_whiten(x, mask, *, eps=1e-8):
    r"""Whiten ``x`` with the mean and variance of its real (masked) entries only.

    .. math::

        \mu = \frac{\sum m\,x}{\sum m}, \quad
        \sigma^2 = \frac{\sum m\,(x-\mu)^2}{\sum m}, \quad
        y = m\,\frac{x - \mu}{\sqrt{\sigma^2 + \varepsilon}} ,

    the population variance (``ddof=0``) over real entries; pads get 0 and may
    hold anything, NaN included (chapter 14, :ref:`ch14`).

    Args:
        x: array of any shape (typically ``[B, L]`` advantages).
        mask: booleans of the same shape, at least one true entry.
        eps: :math:`\varepsilon > 0` guarding a zero variance.

    Returns:
        An array of ``x``'s shape and float dtype; ``x`` is not modified.
    """
    m = np.asarray(mask)
    if m.dtype != np.bool_:
        if m.dtype.kind not in "iu" or not np.all((m == 0) | (m == 1)):
            raise ValueError(f"mask must be a boolean array (or integers 0 and 1), got dtype {m.dtype}")
        m = m.astype(bool)
    arr = check_real_array("x", x, allow_nan=True)
    if arr.shape != m.shape:
        raise ValueError(f"x must have the shape of mask {m.shape}, got {arr.shape}")
    if not np.any(m):
        raise ValueError("mask must select at least one entry")
    if not np.all(np.isfinite(arr[m])):
        raise ValueError("x must be finite where mask is true")
    eps = _nonnegative("eps", eps)
    if eps == 0:
        raise ValueError("eps must be > 0")
    real = arr[m]
    mu = real.mean()
    var = ((real - mu) ** 2).mean()
    out = np.where(m, (np.where(m, arr, 0.0) - mu) / np.sqrt(var + eps), 0.0)
    return out.astype(arr.dtype, copy=False)
