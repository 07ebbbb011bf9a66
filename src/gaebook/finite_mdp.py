r"""A small finite MDP with exact values, exact GAE moments and seeded sampling (chapter 10, :ref:`ch10`).

Everything here is a linear solve. For a policy :math:`\pi` (an ``[S, A]``
table of action probabilities) the state-to-state matrix and the expected
reward per state are

.. math::

    P_\pi[s, s'] = \sum_a \pi(a \mid s)\, P[s, a, s'], \qquad
    r_\pi[s] = \sum_a \pi(a \mid s)\, R[s, a],

and the discounted values follow from the Bellman equation
:math:`V^\pi = r_\pi + \gamma P_\pi V^\pi`. Rewards are deterministic given
``(s, a)``; the MDP is continuing (no terminal states), so the only randomness
of a trajectory is in the actions and the transitions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np

from ._validation import check_unit_interval

__all__ = ["FiniteMDP", "MDPRollout"]


def _real_array(name, x, ndim):
    arr = np.asarray(x)
    if arr.dtype == np.bool_ or arr.dtype.kind not in "fiu":
        raise ValueError(f"{name} must be an array of real numbers, got dtype {arr.dtype}")
    arr = arr.astype(np.float64)
    if arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} axes, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return arr


def _check_distributions(name, arr, atol):
    """Every slice along the last axis must be a probability distribution."""
    if np.any(arr < 0):
        raise ValueError(f"{name} must be nonnegative (probabilities), got a minimum of {arr.min():.3g}")
    sums = arr.sum(axis=-1)
    if not np.allclose(sums, 1.0, rtol=0.0, atol=atol):
        worst = float(np.max(np.abs(sums - 1.0)))
        raise ValueError(f"{name} must sum to 1 over the last axis (within {atol:g}), off by up to {worst:.3g}")


@dataclass(frozen=True)
class MDPRollout:
    """Sampled rollout in the book's time-major transition convention, every array ``[T, N]``.

    ``rewards``, ``values``, ``next_values``, ``terminated`` and ``truncated``
    are exactly the five arrays :func:`gaebook.gae` takes: the MDP is
    continuing, so ``terminated`` is all ``False``; the end of the rollout is a
    truncation (``truncated[T-1] = True``) whose bootstrap ``next_values[T-1]``
    is the critic's value of the state the rollout stopped in. ``states``,
    ``actions`` and ``next_states`` are integer arrays of the same shape.
    """

    states: np.ndarray
    actions: np.ndarray
    next_states: np.ndarray
    rewards: np.ndarray
    values: np.ndarray
    next_values: np.ndarray
    terminated: np.ndarray
    truncated: np.ndarray

    def gae_arrays(self):
        """``(rewards, values, next_values, terminated, truncated)`` for :func:`gaebook.gae`."""
        return self.rewards, self.values, self.next_values, self.terminated, self.truncated


class FiniteMDP:
    r"""A finite, continuing, discounted MDP: transitions ``P[s, a, s']``, rewards ``R[s, a]``, discount γ.

    Derived in chapter 10. The methods compute, for a policy given as an
    ``[S, A]`` table of probabilities, the exact values :math:`V^\pi`,
    :math:`Q^\pi`, :math:`A^\pi`, the exact conditional mean and variance of
    :math:`\hat A^{\mathrm{GAE}(\gamma, \lambda)}_t` given :math:`(s_t, a_t)`
    for any critic :math:`\hat V`, the stationary and discounted state
    distributions, and seeded sample rollouts.

    Args:
        transitions: ``[S, A, S]`` array; ``transitions[s, a]`` is the
            distribution of the next state (nonnegative, sums to 1).
        rewards: ``[S, A]`` array, the reward :math:`R(s, a)` of taking ``a`` in ``s``.
        gamma: discount in ``[0, 1)`` (strictly below 1 so every solve is well posed).
        initial: ``[S]`` distribution of the first state; uniform if omitted.
        atol: tolerance for "sums to 1".

    Raises:
        ValueError: naming the argument (``transitions``, ``rewards``,
            ``gamma``, ``initial``) when it is malformed.
    """

    def __init__(self, transitions, rewards, *, gamma, initial=None, atol=1e-8):
        if isinstance(atol, (bool, np.bool_)) or not isinstance(atol, (Real, np.floating, np.integer)):
            raise ValueError(f"atol must be a real number >= 0, got {atol!r}")
        if not (math.isfinite(float(atol)) and float(atol) >= 0.0):
            raise ValueError(f"atol must be finite and >= 0, got {atol!r}")
        atol = float(atol)
        P = _real_array("transitions", transitions, 3)
        S, A, S2 = P.shape
        if S2 != S:
            raise ValueError(f"transitions must have shape [S, A, S], got {P.shape}")
        _check_distributions("transitions", P, atol)
        R = _real_array("rewards", rewards, 2)
        if R.shape != (S, A):
            raise ValueError(f"rewards must have shape [S, A] = {(S, A)}, got {R.shape}")
        if isinstance(gamma, (bool, np.bool_)) or not isinstance(gamma, (Real, np.floating, np.integer)):
            raise ValueError(f"gamma must be a real number in [0, 1), got {gamma!r}")
        gamma = float(gamma)
        if not 0.0 <= gamma < 1.0:  # also refuses NaN
            raise ValueError(f"gamma must lie in [0, 1), got {gamma!r}")
        if initial is None:
            mu0 = np.full(S, 1.0 / S)
        else:
            mu0 = _real_array("initial", initial, 1)
            if mu0.shape != (S,):
                raise ValueError(f"initial must have shape [S] = {(S,)}, got {mu0.shape}")
            _check_distributions("initial", mu0, atol)
        self.transitions = P
        self.rewards = R
        self.gamma = gamma
        self.initial = mu0
        self.atol = atol
        self.transitions.setflags(write=False)
        self.rewards.setflags(write=False)
        self.initial.setflags(write=False)

    @property
    def n_states(self) -> int:
        return self.transitions.shape[0]

    @property
    def n_actions(self) -> int:
        return self.transitions.shape[1]

    def __repr__(self) -> str:
        return f"FiniteMDP(n_states={self.n_states}, n_actions={self.n_actions}, gamma={self.gamma})"

    # ----------------------------------------------------------------- checks
    def _policy(self, policy) -> np.ndarray:
        pi = _real_array("policy", policy, 2)
        if pi.shape != (self.n_states, self.n_actions):
            raise ValueError(f"policy must have shape [S, A] = {(self.n_states, self.n_actions)}, got {pi.shape}")
        _check_distributions("policy", pi, self.atol)
        return pi

    def _critic(self, critic) -> np.ndarray:
        v = _real_array("critic", critic, 1)
        if v.shape != (self.n_states,):
            raise ValueError(f"critic must have shape [S] = {(self.n_states,)}, got {v.shape}")
        return v

    # ------------------------------------------------------- exact quantities
    def state_transitions(self, policy) -> np.ndarray:
        r""":math:`P_\pi[s, s'] = \sum_a \pi(a\mid s) P[s, a, s']`, shape ``[S, S]``."""
        pi = self._policy(policy)
        return np.einsum("sa,sat->st", pi, self.transitions)

    def policy_rewards(self, policy) -> np.ndarray:
        r""":math:`r_\pi[s] = \sum_a \pi(a\mid s) R[s, a]`, shape ``[S]``."""
        pi = self._policy(policy)
        return np.einsum("sa,sa->s", pi, self.rewards)

    def state_values(self, policy) -> np.ndarray:
        r"""Exact :math:`V^\pi = (I - \gamma P_\pi)^{-1} r_\pi`, shape ``[S]``."""
        P_pi = self.state_transitions(policy)
        return np.linalg.solve(np.eye(self.n_states) - self.gamma * P_pi, self.policy_rewards(policy))

    def action_values(self, policy) -> np.ndarray:
        r"""Exact :math:`Q^\pi(s, a) = R(s, a) + \gamma \sum_{s'} P(s' \mid s, a) V^\pi(s')`, shape ``[S, A]``."""
        return self.rewards + self.gamma * self.transitions @ self.state_values(policy)

    def advantages(self, policy) -> np.ndarray:
        r"""Exact :math:`A^\pi(s, a) = Q^\pi(s, a) - V^\pi(s)`, shape ``[S, A]``."""
        V = self.state_values(policy)
        return self.rewards + self.gamma * self.transitions @ V - V[:, None]

    def expected_td_errors(self, policy, critic) -> np.ndarray:
        r""":math:`\Delta(s, a) = E[\delta_t \mid s_t = s, a_t = a] = R(s, a) + \gamma \sum_{s'} P(s'\mid s,a) \hat V(s') - \hat V(s)`.

        The policy is validated but not used: the first TD error depends only on ``(s, a)``.
        """
        self._policy(policy)
        v = self._critic(critic)
        return self.rewards + self.gamma * self.transitions @ v - v[:, None]

    def gae_expectation(self, policy, critic, lam) -> np.ndarray:
        r"""Exact :math:`E[\hat A^{\mathrm{GAE}(\gamma,\lambda)}_t \mid s_t = s, a_t = a]`, shape ``[S, A]``.

        With :math:`\bar\delta = \sum_a \pi(a\mid\cdot)\,\Delta(\cdot, a)` (the
        expected TD error of a state) and :math:`E[\delta_{t+l} \mid s, a] =
        P[s, a] P_\pi^{l-1} \bar\delta` for :math:`l \ge 1`, the geometric
        series sums to

        .. math::

            E[\hat A_t \mid s, a] = \Delta(s, a) + \gamma\lambda\, P[s, a]\,
            (I - \gamma\lambda P_\pi)^{-1} \bar\delta .

        This is the infinite-horizon estimator (no episode end). Derived in chapter 10.
        """
        lam = check_unit_interval("lam", lam)
        pi = self._policy(policy)
        delta = self.expected_td_errors(pi, critic)
        delta_bar = np.einsum("sa,sa->s", pi, delta)
        x = self.gamma * lam
        u = np.linalg.solve(np.eye(self.n_states) - x * self.state_transitions(pi), delta_bar)
        return delta + x * self.transitions @ u

    def gae_variance(self, policy, critic, lam) -> np.ndarray:
        r"""Exact :math:`\mathrm{Var}[\hat A^{\mathrm{GAE}(\gamma,\lambda)}_t \mid s_t = s, a_t = a]`, shape ``[S, A]``.

        With :math:`x = \gamma\lambda`, :math:`D(s, a, s') = R(s,a) + \gamma \hat V(s') - \hat V(s)`
        and :math:`\hat A_t = D(s_t, a_t, s_{t+1}) + x \hat A_{t+1}`, where
        :math:`\hat A_{t+1}` depends on the past only through :math:`s_{t+1}`,
        the first two conditional moments :math:`m_1, m_2` solve

        .. math::

            m_1 = \Delta + x M m_1, \qquad
            m_2(s,a) = \sum_{s'} P(s'\mid s,a)\,\big[D^2 + 2 x D\, (\pi m_1)(s')\big] + x^2 (M m_2)(s, a),

        with :math:`M[(s,a),(s',a')] = P(s'\mid s,a)\,\pi(a'\mid s')` and
        :math:`(\pi m)(s') = \sum_{a'} \pi(a'\mid s') m(s', a')`. The variance is
        :math:`m_2 - m_1^2`. Derived in chapter 10.
        """
        lam = check_unit_interval("lam", lam)
        pi = self._policy(policy)
        v = self._critic(critic)
        S, A = self.n_states, self.n_actions
        x = self.gamma * lam
        m1 = self.gae_expectation(pi, v, lam)
        D = self.rewards[:, :, None] + self.gamma * v[None, None, :] - v[:, None, None]  # [S, A, S']
        m1_state = np.einsum("sa,sa->s", pi, m1)
        c = np.einsum("sat,sat->sa", self.transitions, D**2 + 2 * x * D * m1_state[None, None, :])
        M = np.einsum("sat,tb->satb", self.transitions, pi).reshape(S * A, S * A)
        m2 = np.linalg.solve(np.eye(S * A) - x**2 * M, c.reshape(-1)).reshape(S, A)
        return np.maximum(m2 - m1**2, 0.0)

    def stationary_distribution(self, policy) -> np.ndarray:
        r"""The distribution :math:`\rho` with :math:`\rho^\top P_\pi = \rho^\top`, shape ``[S]``.

        Unique when the chain :math:`P_\pi` is irreducible; found as the
        eigenvector of :math:`P_\pi^\top` for eigenvalue 1.
        """
        P_pi = self.state_transitions(policy)
        S = self.n_states
        # solve rho^T (I - P_pi) = 0 with sum(rho) = 1 as a least-squares system
        lhs = np.vstack([(np.eye(S) - P_pi).T, np.ones((1, S))])
        rhs = np.concatenate([np.zeros(S), [1.0]])
        rho = np.linalg.lstsq(lhs, rhs, rcond=None)[0]
        return np.clip(rho, 0.0, None) / np.clip(rho, 0.0, None).sum()

    def discounted_visits(self, policy) -> np.ndarray:
        r""":math:`d_\gamma(s) = \sum_{t \ge 0} \gamma^t \Pr(s_t = s) = [\mu_0^\top (I - \gamma P_\pi)^{-1}](s)`, shape ``[S]``.

        Not normalised: the entries sum to :math:`1/(1-\gamma)`.
        """
        P_pi = self.state_transitions(policy)
        return np.linalg.solve((np.eye(self.n_states) - self.gamma * P_pi).T, self.initial)

    def objective(self, policy) -> float:
        r"""The discounted objective :math:`J = \mu_0^\top V^\pi = E[\sum_t \gamma^t r_t]`."""
        return float(self.initial @ self.state_values(policy))

    # --------------------------------------------------------------- sampling
    def sample(self, policy, critic, *, n_steps, n_envs, rng, start=None) -> MDPRollout:
        r"""Sample ``n_envs`` independent trajectories of ``n_steps`` steps, time-major ``[T, N]``.

        Args:
            policy: ``[S, A]`` action probabilities.
            critic: ``[S]`` critic values :math:`\hat V`, used for ``values`` and ``next_values``.
            n_steps: rollout length ``T`` (positive integer).
            n_envs: number of environments ``N`` (positive integer).
            rng: a ``numpy.random.Generator`` (seed it for reproducible rollouts).
            start: ``[S]`` distribution of ``s_0``; the MDP's ``initial`` if omitted.

        Returns:
            An :class:`MDPRollout`; ``gae(*rollout.gae_arrays(), gamma=..., lam=...)``
            gives the advantages.
        """
        pi = self._policy(policy)
        v = self._critic(critic)
        for name, n in (("n_steps", n_steps), ("n_envs", n_envs)):
            if isinstance(n, (bool, np.bool_)) or not isinstance(n, (Integral, np.integer)) or n < 1:
                raise ValueError(f"{name} must be a positive integer, got {n!r}")
        if not isinstance(rng, np.random.Generator):
            raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
        mu = self.initial
        if start is not None:
            mu = _real_array("start", start, 1)
            if mu.shape != (self.n_states,):
                raise ValueError(f"start must have shape [S] = {(self.n_states,)}, got {mu.shape}")
            _check_distributions("start", mu, self.atol)
        T, N = int(n_steps), int(n_envs)
        cum_pi = np.cumsum(pi, axis=1)
        cum_P = np.cumsum(self.transitions, axis=2)
        states = np.empty((T, N), dtype=np.int64)
        actions = np.empty((T, N), dtype=np.int64)
        next_states = np.empty((T, N), dtype=np.int64)

        def draw(cdf_rows, u):  # inverse-CDF sampling, one row per environment
            return np.minimum((u[:, None] > cdf_rows).sum(axis=1), cdf_rows.shape[1] - 1)

        s = draw(np.broadcast_to(np.cumsum(mu), (N, self.n_states)), rng.random(N))
        for t in range(T):
            a = draw(cum_pi[s], rng.random(N))
            s_next = draw(cum_P[s, a], rng.random(N))
            states[t], actions[t], next_states[t] = s, a, s_next
            s = s_next
        truncated = np.zeros((T, N), dtype=bool)
        truncated[-1] = True  # the rollout's end is a truncation: bootstrap from V(s_T)
        return MDPRollout(
            states=states,
            actions=actions,
            next_states=next_states,
            rewards=self.rewards[states, actions],
            values=v[states],
            next_values=v[next_states],
            terminated=np.zeros((T, N), dtype=bool),
            truncated=truncated,
        )
