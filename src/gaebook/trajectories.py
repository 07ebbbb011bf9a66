"""Trajectories of a tiny finite MDP: enumerate, sample, reward-to-go (chapters 3 and 4).

A *tiny MDP* here is three nested tables with horizon ``T``:

* ``initial[s]``: probability of the first state :math:`\\mu(s_0 = s)`, shape ``[S]``;
* ``transitions[s, a, s2]``: :math:`P(s_{t+1} = s2 \\mid s_t = s, a_t = a)`, shape ``[S, A, S]``;
* ``policy[s, a]``: :math:`\\pi(a \\mid s)`, shape ``[S, A]``.

A trajectory is :math:`\\tau = (s_0, a_0, s_1, a_1, \\dots, s_{T-1}, a_{T-1})`; the
reward of step ``t`` is a function of :math:`(s_t, a_t)`, so the state after the
last action does not matter and is summed out. Entries may be floats or SymPy
expressions: :func:`enumerate_trajectories` only multiplies them, which is how
chapter 3 gets exact symbolic expectations.
"""

from __future__ import annotations

import itertools
from typing import NamedTuple

import numpy as np

__all__ = [
    "Trajectory",
    "MonteCarloSummary",
    "enumerate_trajectories",
    "sample_trajectories",
    "reward_to_go",
    "monte_carlo_summary",
    "optimal_constant_baseline",
]


class Trajectory(NamedTuple):
    """One trajectory of a tiny MDP and its probability under the policy."""

    states: tuple[int, ...]
    actions: tuple[int, ...]
    probability: object  # float or SymPy expression


class MonteCarloSummary(NamedTuple):
    """Mean, variance and standard error of the mean of ``n`` i.i.d. samples, per component."""

    mean: np.ndarray
    var: np.ndarray
    stderr: np.ndarray
    n: int


def _table(name: str, x, ndim: int) -> np.ndarray:
    arr = np.asarray(x, dtype=object)
    if arr.ndim != ndim or 0 in arr.shape:
        raise ValueError(f"{name} must be a non-empty table with {ndim} axes, got shape {arr.shape}")
    return arr


def _check_horizon(horizon) -> int:
    if isinstance(horizon, (bool, np.bool_)) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise ValueError(f"horizon must be a positive integer, got {horizon!r}")
    return int(horizon)


def _check_mdp(initial, transitions, policy):
    mu = _table("initial", initial, 1)
    P = _table("transitions", transitions, 3)
    pi = _table("policy", policy, 2)
    S, A = pi.shape
    if mu.shape != (S,):
        raise ValueError(f"initial must have shape [S] = ({S},) to match policy [S, A], got {mu.shape}")
    if P.shape != (S, A, S):
        raise ValueError(f"transitions must have shape [S, A, S] = ({S}, {A}, {S}), got {P.shape}")
    return mu, P, pi


def enumerate_trajectories(
    initial, transitions, policy, horizon
) -> list[Trajectory]:
    r"""Every trajectory of length ``horizon`` with its probability (chapter 3).

    .. math::

        p(\tau \mid \theta) = \rho_0(s_0) \prod_{t=0}^{T-1} \pi(a_t \mid s_t)
            \prod_{t=0}^{T-2} P(s_{t+1} \mid s_t, a_t).

    Args:
        initial: ``[S]`` table of :math:`\rho_0(s_0)`.
        transitions: ``[S, A, S]`` table of :math:`P(s' \mid s, a)`.
        policy: ``[S, A]`` table of :math:`\pi(a \mid s)`.
        horizon: number of actions :math:`T \ge 1`.

    Entries may be numbers or SymPy expressions. Branches whose table entry
    is exactly 0 are left out. The probabilities sum to one whenever the
    tables are distributions.

    Returns:
        List of :class:`Trajectory` ``(states, actions, probability)``, with
        ``states`` and ``actions`` tuples of length ``horizon``.
    """
    mu, P, pi = _check_mdp(initial, transitions, policy)
    T = _check_horizon(horizon)
    S, A = pi.shape
    out = []
    for states in itertools.product(range(S), repeat=T):
        for actions in itertools.product(range(A), repeat=T):
            factors = [mu[states[0]]]
            for t in range(T):
                factors.append(pi[states[t], actions[t]])
                if t < T - 1:
                    factors.append(P[states[t], actions[t], states[t + 1]])
            if any(_is_exact_zero(f) for f in factors):
                continue
            prob = factors[0]
            for f in factors[1:]:
                prob = prob * f
            out.append(Trajectory(states, actions, prob))
    return out


def _is_exact_zero(x) -> bool:
    try:
        return bool(x == 0)
    except TypeError:
        return False


def sample_trajectories(rng, initial, transitions, policy, horizon, n):
    """Sample ``n`` trajectories of a tiny MDP with numeric tables (chapter 3).

    Args:
        rng: a ``numpy.random.Generator``.
        initial, transitions, policy: numeric tables as in :func:`enumerate_trajectories`.
        horizon: number of actions :math:`T \\ge 1`.
        n: number of trajectories :math:`\\ge 1`.

    Returns:
        ``(states, actions)``, two integer arrays of shape ``[T, n]`` (time-major).
    """
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    mu, P, pi = (np.asarray(t, dtype=float) for t in _check_mdp(initial, transitions, policy))
    for name, table in (("initial", mu), ("transitions", P), ("policy", pi)):
        if not np.all(np.isfinite(table)) or np.any(table < 0) or not np.allclose(table.sum(axis=-1), 1.0):
            raise ValueError(f"{name} must hold probabilities that sum to one over the last axis")
    T = _check_horizon(horizon)
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")

    def draw(probs):  # one categorical draw per row of probs [n, K]
        u = rng.random(probs.shape[0])
        return np.minimum((np.cumsum(probs, axis=1) < u[:, None]).sum(axis=1), probs.shape[1] - 1)

    states = np.empty((T, n), dtype=np.int64)
    actions = np.empty((T, n), dtype=np.int64)
    s = draw(np.broadcast_to(mu, (n, mu.size)))
    for t in range(T):
        a = draw(pi[s])
        states[t], actions[t] = s, a
        if t < T - 1:
            s = draw(P[s, a])
    return states, actions


def reward_to_go(rewards, *, gamma=1.0):
    r"""Reward-to-go :math:`\hat R_t = \sum_{t' \ge t} \gamma^{t'-t} r_{t'}` of one trajectory (chapter 3).

    Each column is one complete trajectory: nothing is bootstrapped after
    the last step. ``reward_to_go(r)[0]`` is the trajectory's (discounted) return.

    Args:
        rewards: ``[T]`` or ``[T, N]`` real array (time-major).
        gamma: discount in [0, 1].

    Returns:
        Array of the shape and float dtype of ``rewards``.
    """
    from ._validation import check_float_array, check_unit_interval

    r = check_float_array("rewards", rewards)
    gamma = check_unit_interval("gamma", gamma)
    out = np.empty_like(r)
    following = np.zeros_like(r[0])
    for t in range(r.shape[0] - 1, -1, -1):
        following = r[t] + gamma * following
        out[t] = following
    return out


def monte_carlo_summary(samples) -> MonteCarloSummary:
    r"""Mean, sample variance and standard error along the first axis (chapters 3 and 4).

    For i.i.d. samples :math:`x_1, \dots, x_n` (axis 0, shape ``[n, ...]``):
    ``mean`` :math:`= \bar x`, ``var`` :math:`= \frac{1}{n-1}\sum_i (x_i - \bar x)^2`,
    ``stderr`` :math:`= \sqrt{\mathrm{var} / n}`, each of shape ``[...]``.
    """
    x = np.asarray(samples)
    if x.dtype == np.bool_ or x.dtype.kind not in "fiu":
        raise ValueError(f"samples must be an array of real numbers, got dtype {x.dtype}")
    if x.ndim < 1 or x.shape[0] < 2:
        raise ValueError(f"samples must hold at least two samples on axis 0, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("samples must be finite (no NaN or inf)")
    x = x.astype(np.float64) if x.dtype.kind in "iu" else x
    n = x.shape[0]
    var = x.var(axis=0, ddof=1)
    return MonteCarloSummary(x.mean(axis=0), var, np.sqrt(var / n), n)


def _check_real(name: str, x) -> np.ndarray:
    arr = np.asarray(x)
    if arr.dtype == np.bool_ or arr.dtype.kind not in "fiu":
        raise ValueError(f"{name} must be an array of real numbers, got dtype {arr.dtype}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return arr


def optimal_constant_baseline(scores, returns):
    r"""Variance-minimising constant baseline, one per parameter (chapter 4).

    For the estimator :math:`g_i (R - b_i)` of component :math:`i`, the second
    moment, and so the variance (the mean :math:`\mathbb{E}[g_i R]` does not
    depend on :math:`b_i` because :math:`\mathbb{E}[g_i] = 0`), is smallest at

    .. math::

        b_i^* = \frac{\mathbb{E}[g_i^2 R]}{\mathbb{E}[g_i^2]}
              \approx \frac{\sum_n g_{n,i}^2 R_n}{\sum_n g_{n,i}^2}.

    Args:
        scores: ``[N, d]`` (or ``[N]`` for one parameter) sampled scores
            :math:`g_n = \nabla_\theta \log \pi_\theta(a_n)`.
        returns: ``[N]`` returns :math:`R_n` of the same samples.

    Returns:
        ``[d]`` array of :math:`b_i^*` (a 0-d array if ``scores`` is ``[N]``).
    """
    g = _check_real("scores", scores)
    R = _check_real("returns", returns)
    if g.ndim not in (1, 2) or g.shape[0] == 0:
        raise ValueError(f"scores must be [N] or [N, d], got shape {g.shape}")
    if R.shape != g.shape[:1]:
        raise ValueError(f"returns must have shape [N] = ({g.shape[0]},)")
    g = g.astype(np.float64) if g.dtype.kind in "iu" else g
    g2 = g**2
    denom = g2.sum(axis=0)
    if np.any(denom == 0):
        raise ValueError("scores must not be all zero for a parameter")
    return np.tensordot(R, g2, axes=(0, 0)) / denom
