"""Tabular TD learning on pre-generated walks: n-step TD, λ-return, TD(λ) (chapter 11, :ref:`ch11`).

Two kinds of functions live here.

*One episode, fixed values* (the offline-equivalence theorem of chapter 11):
:func:`td_lambda_increments` sums the TD(λ) updates :math:`\\delta_t e_t` of an
episode with an accumulating eligibility trace (backward view), and
:func:`lambda_return_increments` sums the λ-return updates
:math:`(R_t(\\lambda) - V(s_t))\\,\\nabla V(s_t)` (forward view). With the values
held fixed they are equal.

*Whole experiments* (Sutton & Barto's 19-state random walk): :func:`nstep_td`,
:func:`offline_lambda_return` and :func:`td_lambda` learn a value table from
zero on every run of a :class:`~gaebook.random_walk.Walks` for a grid of
settings and step sizes at once, and return the RMS error after every
episode. They are vectorised over runs, settings and step sizes; only the
time steps of an episode are a Python loop. Every setting sees the same walks.
"""

from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np

from ._validation import check_unit_interval
from .random_walk import Walks, rms_error
from .returns import lambda_returns

__all__ = [
    "td_lambda_increments",
    "lambda_return_increments",
    "LearningCurves",
    "nstep_td",
    "offline_lambda_return",
    "td_lambda",
]


# ----------------------------------------------------------------------------- validation


def _check_episode(states, rewards, values):
    v = np.asarray(values)
    if v.dtype == np.bool_ or v.dtype.kind not in "fiu":
        raise ValueError(f"values must be an array of real numbers, got dtype {v.dtype}")
    if v.ndim != 1 or v.shape[0] == 0:
        raise ValueError(f"values must have shape [n_states] with n_states >= 1, got {v.shape}")
    if not np.all(np.isfinite(v)):
        raise ValueError("values must be finite (no NaN or inf)")
    s = np.asarray(states)
    if s.dtype == np.bool_ or s.dtype.kind not in "iu":
        raise ValueError(f"states must be an array of integers, got dtype {s.dtype}")
    if s.ndim != 1 or s.shape[0] == 0:
        raise ValueError(f"states must have shape [T] with T >= 1, got {s.shape}")
    if np.any(s < 0) or np.any(s >= v.shape[0]):
        raise ValueError(f"states must lie in 0 .. {v.shape[0] - 1} (indices into values)")
    r = np.asarray(rewards)
    if r.dtype == np.bool_ or r.dtype.kind not in "fiu":
        raise ValueError(f"rewards must be an array of real numbers, got dtype {r.dtype}")
    if r.shape != s.shape:
        raise ValueError(f"rewards must have the same shape as states {s.shape}, got {r.shape}")
    if not np.all(np.isfinite(r)):
        raise ValueError("rewards must be finite (no NaN or inf)")
    dtype = np.result_type(r.dtype, v.dtype, np.float16)  # a float dtype, the caller's if it is one
    return s.astype(np.int64), r.astype(dtype), v.astype(dtype), dtype


def _check_walks(walks) -> Walks:
    if not isinstance(walks, Walks):
        raise ValueError(f"walks must be a gaebook.random_walk.Walks, got {type(walks).__name__}")
    s, r, L = np.asarray(walks.states), np.asarray(walks.rewards), np.asarray(walks.lengths)
    if s.ndim != 3 or s.dtype.kind not in "iu":
        raise ValueError(f"walks.states must be an integer array [runs, episodes, L + 1], got {s.dtype} {s.shape}")
    if r.shape != s.shape[:2] + (s.shape[2] - 1,):
        raise ValueError(f"walks.rewards must have shape {s.shape[:2] + (s.shape[2] - 1,)}, got {r.shape}")
    if L.shape != s.shape[:2] or L.dtype.kind not in "iu" or np.any(L < 1) or np.any(L > r.shape[2]):
        raise ValueError("walks.lengths must be integers in 1 .. L of shape [runs, episodes]")
    return walks


def _check_grid(name: str, x, *, kind: str) -> np.ndarray:
    """A scalar or 1-D grid of settings; ``kind`` is 'alpha', 'unit' or 'n'."""
    arr = np.atleast_1d(np.asarray(x))
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a number or a 1-D array of numbers, got shape {arr.shape}")
    if arr.dtype == np.bool_ or arr.dtype.kind not in "fiu":
        raise ValueError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    if kind == "n":
        if arr.dtype.kind not in "iu" or np.any(arr < 1):
            raise ValueError(f"{name} must hold integers >= 1, got {arr.tolist()}")
        return arr.astype(np.int64)
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {arr.tolist()}")
    if kind == "alpha" and np.any(arr < 0):
        raise ValueError(f"{name} must be >= 0, got {arr.tolist()}")
    if kind == "unit" and np.any((arr < 0) | (arr > 1)):
        raise ValueError(f"{name} must lie in [0, 1], got {arr.tolist()}")
    return arr


# ----------------------------------------------------------------------------- one episode


def td_lambda_increments(states, rewards, values, *, gamma, lam):
    r"""Summed TD(λ) updates of one episode, values held fixed (backward view).

    .. math::

        e_t = \gamma\lambda\, e_{t-1} + \nabla V(s_t), \qquad
        \Delta = \sum_{t=0}^{T-1} \delta_t\, e_t, \qquad
        \delta_t = r_t + \gamma V(s_{t+1}) - V(s_t),

    tabular, so :math:`\nabla V(s_t)` is the indicator of state :math:`s_t`
    (an *accumulating* trace: a revisit adds 1), :math:`e_{-1} = 0`, and the
    episode terminates after its last step (:math:`V(s_T) = 0`). A step size
    :math:`\alpha` multiplies the result. Derived in chapter 11.

    Args:
        states: ``int [T]``, :math:`s_0 .. s_{T-1}` (indices into ``values``).
        rewards: ``[T]``, :math:`r_0 .. r_{T-1}`.
        values: ``[n_states]``, the value table :math:`V`.
        gamma, lam: in [0, 1].

    Returns:
        ``[n_states]``: :math:`\Delta`, in the float dtype of the inputs.
    """
    s, r, v, dtype = _check_episode(states, rewards, values)
    gamma = check_unit_interval("gamma", gamma)
    lam = check_unit_interval("lam", lam)
    T = s.shape[0]
    next_v = np.append(v[s[1:]], 0.0)  # V(s_{t+1}); the state after the last step is terminal
    delta = r + gamma * next_v - v[s]
    trace = np.zeros_like(v)
    total = np.zeros_like(v)
    for t in range(T):
        trace *= gamma * lam  # decay ...
        trace[s[t]] += 1.0  # ... then add the gradient of V(s_t)
        total += delta[t] * trace
    return total.astype(dtype, copy=False)


def lambda_return_increments(states, rewards, values, *, gamma, lam):
    r"""Summed λ-return updates of one episode, values held fixed (forward view).

    .. math::

        \Delta = \sum_{t=0}^{T-1} \bigl(R_t(\lambda) - V(s_t)\bigr)\, \nabla V(s_t),

    with the λ-return :math:`R_t(\lambda)` of the finite episode computed by the
    backward recursion of chapter 8 (:func:`gaebook.lambda_returns`); tabular,
    terminal after the last step. By the offline-equivalence theorem of
    chapter 11 this equals :func:`td_lambda_increments`.

    Args and returns: as in :func:`td_lambda_increments`.
    """
    s, r, v, dtype = _check_episode(states, rewards, values)
    gamma = check_unit_interval("gamma", gamma)
    lam = check_unit_interval("lam", lam)
    T = s.shape[0]
    next_v = np.append(v[s[1:]], 0.0)
    terminated = np.arange(T) == T - 1
    targets = lambda_returns(r, next_v, terminated, np.zeros(T, bool), gamma=gamma, lam=lam)
    total = np.bincount(s, weights=targets - v[s], minlength=v.shape[0])
    return total.astype(dtype, copy=False)


# ----------------------------------------------------------------------------- experiments


class LearningCurves(NamedTuple):
    """Result of a random-walk experiment over a grid of (setting, step size).

    Attributes:
        rms_error: ``[settings, alphas, runs, episodes]``, the RMS error over
            the nonterminal states at the end of each episode.
        values: ``[settings, alphas, runs, n_states]``, the value tables after
            the last episode.
    """

    rms_error: np.ndarray
    values: np.ndarray


class _Episode(NamedTuple):
    """One episode of every run, runs sorted from the longest episode to the shortest.

    Sorting lets the time loop work on a shrinking, contiguous prefix of runs:
    at step ``t`` only the first ``active[t]`` runs are still walking.
    """

    order: np.ndarray  # [R] run of each sorted position
    lengths: np.ndarray  # [R] sorted lengths T
    states: np.ndarray  # [R, L + 1]
    rewards: np.ndarray  # [R, L]
    active: np.ndarray  # [L] number of runs with T > t


def _episode(walks: Walks, e: int) -> _Episode:
    T = walks.lengths[:, e]
    order = np.argsort(-T, kind="stable")
    L = int(T.max())
    Ts = T[order]
    active = np.searchsorted(-Ts, -np.arange(L), side="left")  # runs with T > t
    return _Episode(order, Ts, walks.states[order, e, : L + 1], walks.rewards[order, e, :L], active)


def _learn(walks, n_settings, alphas, run_episode) -> LearningCurves:
    """Shared driver: value tables ``[R, P, A, n_states + 1]`` from 0, episodes in order.

    The last entry of a table is the terminal state (value 0, never updated).
    ``run_episode(V, flat, base, ep)`` updates the sorted tables ``V`` in place
    (``flat`` is ``V.ravel()``, ``base[r, p, a]`` the flat offset of a table).
    """
    R, E, k = walks.n_runs, walks.n_episodes, walks.n_states
    A = alphas.size
    V = np.zeros((R, n_settings, A, k + 1))
    base = np.arange(R * n_settings * A).reshape(R, n_settings, A) * (k + 1)
    errors = np.empty((n_settings, A, R, E))
    with np.errstate(over="ignore", invalid="ignore"):
        for e in range(E):
            ep = _episode(walks, e)
            Vs = V[ep.order]  # a sorted copy: active runs form a contiguous prefix
            run_episode(Vs, Vs.ravel(), base, ep)
            V[ep.order] = Vs
            errors[..., e] = rms_error(V[..., :k]).transpose(1, 2, 0)
    return LearningCurves(errors, V[..., :k].transpose(1, 2, 0, 3).copy())


def nstep_td(walks, *, n, alpha, gamma=1.0) -> LearningCurves:
    r"""n-step TD prediction (Sutton & Barto, section 7.1), values start at 0.

    After step :math:`\tau + n - 1` of an episode the value of :math:`s_\tau`
    moves toward the n-step return computed with the current table,

    .. math::

        V(s_\tau) \leftarrow V(s_\tau) + \alpha \bigl[R^{(n)}_\tau - V(s_\tau)\bigr],
        \qquad R^{(n)}_\tau = \sum_{l=0}^{m-1} \gamma^l r_{\tau+l} + \gamma^m V(s_{\tau+m}),

    with :math:`m = \min(n, T - \tau)` (a terminal state is worth 0). The
    updates happen in the order of :math:`\tau`, so the loop runs over
    :math:`\tau` directly. With ``n >= T`` every target is the Monte Carlo
    return. Derived in chapter 11.

    Args:
        walks: pre-generated episodes (:func:`gaebook.random_walk.generate_walks`).
        n: an integer ``>= 1`` or a 1-D array of them (the settings axis).
        alpha: a step size ``>= 0`` or a 1-D array of them.
        gamma: discount in [0, 1] (1 for the random walk).

    Returns:
        :class:`LearningCurves` with shapes ``[len(n), len(alpha), runs, ...]``.
    """
    walks = _check_walks(walks)
    ns = _check_grid("n", n, kind="n")
    alphas = _check_grid("alpha", alpha, kind="alpha")
    gamma = check_unit_interval("gamma", gamma)

    def episode(V, flat, base, ep):
        # returns-to-go G_t; the n-step reward sum is G_tau - gamma^m G_{tau+m}
        G = np.zeros((ep.rewards.shape[0], ep.rewards.shape[1] + 1))
        for t in range(ep.rewards.shape[1] - 1, -1, -1):
            G[:, t] = ep.rewards[:, t] + gamma * G[:, t + 1]
        for tau, n_act in enumerate(ep.active):
            rows = np.arange(n_act)[:, None]
            end = np.minimum(tau + ns[None, :], ep.lengths[:n_act, None])  # [R', P]: tau + m
            disc = gamma ** (end - tau).astype(np.float64)
            partial = G[:n_act, tau, None] - disc * G[rows, end]
            b = base[:n_act]
            bootstrap = flat[b + ep.states[rows, end][:, :, None]]  # V(s_{tau+m}), 0 if terminal
            i = b + ep.states[:n_act, tau, None, None]
            flat[i] += alphas * (partial[:, :, None] + disc[:, :, None] * bootstrap - flat[i])

    return _learn(walks, ns.size, alphas, episode)


def offline_lambda_return(walks, *, lam, alpha, gamma=1.0, summed=False) -> LearningCurves:
    r"""The offline λ-return algorithm (Sutton & Barto, section 12.1), values start at 0.

    Nothing changes during an episode. At its end, the λ-returns
    :math:`R_t(\lambda)` of every step are computed with the table as it was
    during the episode, by one backward pass (the recursion of
    :func:`gaebook.lambda_returns`, the pass GAE uses, here for a whole grid of
    λ and step sizes at once), and then

    - ``summed=False`` (the book's experiment): the updates
      :math:`V(s_t) \leftarrow V(s_t) + \alpha [R_t(\lambda) - V(s_t)]` are
      applied one after another for :math:`t = 0, \dots, T-1`, so a state
      visited twice moves toward its second target from where the first
      update left it;
    - ``summed=True``: every increment :math:`\alpha [R_t(\lambda) - V(s_t)]`
      uses the frozen table and their sum is added at once. This is the
      quantity of the offline-equivalence theorem: it equals
      :func:`td_lambda` with ``online=False``.

    Args:
        walks: pre-generated episodes.
        lam: λ in [0, 1], or a 1-D array of them (the settings axis).
        alpha: a step size ``>= 0`` or a 1-D array of them.
        gamma: discount in [0, 1].
        summed: apply the increments together instead of one after another.

    Returns:
        :class:`LearningCurves` with shapes ``[len(lam), len(alpha), runs, ...]``.
    """
    walks = _check_walks(walks)
    lams = _check_grid("lam", lam, kind="unit")
    alphas = _check_grid("alpha", alpha, kind="alpha")
    gamma = check_unit_interval("gamma", gamma)
    A = alphas.size

    lam_grid = lams[:, None]  # [P, 1], broadcasts against [runs, P, A]

    def episode(V, flat, base, ep):
        R, L = ep.rewards.shape
        # the lambda-returns of every step, by the backward recursion of chapter 8
        #   R_t = r_t + gamma [(1 - lam) V(s_{t+1}) + lam R_{t+1}],  R_T = 0, V(terminal) = 0,
        # written out for the whole grid at once (gaebook.lambda_returns does one lambda)
        targets = np.zeros((L + 1, R, lams.size, alphas.size))
        for t in range(L - 1, -1, -1):
            n_act = ep.active[t]
            b = base[:n_act]
            following = flat[b + ep.states[:n_act, t + 1, None, None]]
            targets[t, :n_act] = ep.rewards[:n_act, t, None, None] + gamma * (
                (1.0 - lam_grid) * following + lam_grid * targets[t + 1, :n_act]
            )
        total = np.zeros_like(flat) if summed else flat  # where the increments go
        for tau, n_act in enumerate(ep.active):
            i = base[:n_act] + ep.states[:n_act, tau, None, None]
            total[i] += alphas * (targets[tau, :n_act] - flat[i])
        if summed:
            flat += total

    return _learn(walks, lams.size, alphas, episode)


def td_lambda(walks, *, lam, alpha, gamma=1.0, online=True) -> LearningCurves:
    r"""Tabular TD(λ) with accumulating traces (Sutton & Barto, section 12.2), values start at 0.

    .. math::

        \delta_t = r_t + \gamma V(s_{t+1}) - V(s_t), \qquad
        e_t = \gamma\lambda e_{t-1} + \nabla V(s_t), \qquad
        V \leftarrow V + \alpha\, \delta_t\, e_t,

    with the trace reset to 0 at the start of every episode. ``online=True``
    updates the table at every step (the usual TD(λ)); ``online=False`` holds
    it fixed during the episode and adds the summed increments at its end,
    which by the offline-equivalence theorem equals
    :func:`offline_lambda_return` with ``summed=True``. Large ``alpha`` and
    ``lam`` can make online TD(λ) diverge; the errors are then ``inf`` or
    ``nan`` (no warning is raised).

    Args:
        walks: pre-generated episodes.
        lam: λ in [0, 1], or a 1-D array of them (the settings axis).
        alpha: a step size ``>= 0`` or a 1-D array of them.
        gamma: discount in [0, 1].
        online: update during the episode (True) or at its end (False).

    Returns:
        :class:`LearningCurves` with shapes ``[len(lam), len(alpha), runs, ...]``.
    """
    walks = _check_walks(walks)
    lams = _check_grid("lam", lam, kind="unit")
    alphas = _check_grid("alpha", alpha, kind="alpha")
    gamma = check_unit_interval("gamma", gamma)
    decay = (gamma * lams)[:, None, None]  # [P, 1, 1]: the trace shrinks by gamma * lambda

    def episode(V, flat, base, ep):
        trace = np.zeros_like(V)
        trace_flat = trace.ravel()
        total = V if online else np.zeros_like(V)  # where the increments go
        for t, n_act in enumerate(ep.active):
            b = base[:n_act]
            here = b + ep.states[:n_act, t, None, None]
            following = flat[b + ep.states[:n_act, t + 1, None, None]]  # V(s_{t+1}), 0 if terminal
            delta = ep.rewards[:n_act, t, None, None] + gamma * following - flat[here]
            tr = trace[:n_act]
            tr *= decay
            trace_flat[here] += 1.0  # accumulating: a revisit adds 1
            total[:n_act] += (alphas * delta)[..., None] * tr
        if not online:
            V += total

    return _learn(walks, lams.size, alphas, episode)
