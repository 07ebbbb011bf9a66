"""The 19-state random walk of Sutton & Barto (chapter 11, :ref:`ch11`).

A chain of ``n_states`` nonterminal states (19 in the book) with a terminal
state at each end. Every episode starts in the middle state and moves left or
right with probability 1/2 each. Leaving on the left gives reward ``-1``,
leaving on the right ``+1``, every other transition ``0``; there is no
discount (``gamma = 1``). The value of state ``i`` (0-based) is the
probability of leaving on the right minus the probability of leaving on the
left, ``v(i) = 2 (i + 1) / (n_states + 1) - 1``: ``-0.9, -0.8, ..., 0.9`` for
19 states.

Walks are generated once, seeded, for many runs and episodes at a time, so
that every learning algorithm and every step size of an experiment sees the
SAME walks. States are numbered ``0 .. n_states - 1``; the index ``n_states``
stands for "terminal" (both ends), whose value is always 0.
"""

from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np

__all__ = ["N_STATES", "Walks", "true_values", "transition_model", "generate_walks", "rms_error"]

#: Number of nonterminal states in the book's random walk.
N_STATES = 19


def _check_n_states(n_states) -> int:
    if isinstance(n_states, (bool, np.bool_)) or not isinstance(n_states, numbers.Integral):
        raise ValueError(f"n_states must be an odd integer >= 3, got {n_states!r}")
    n_states = int(n_states)
    if n_states < 3 or n_states % 2 == 0:
        raise ValueError(f"n_states must be an odd integer >= 3 (so there is a middle state), got {n_states}")
    return n_states


def _check_count(name: str, value) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


def true_values(n_states: int = N_STATES) -> np.ndarray:
    r"""True state values :math:`v(i) = 2(i+1)/(n+1) - 1`, shape ``[n_states]``.

    With :math:`\gamma = 1` the value is :math:`P(\text{right}) - P(\text{left})`
    and, by the gambler's-ruin argument, :math:`P(\text{right} \mid i) = (i+1)/(n+1)`.
    For 19 states: ``-0.9, -0.8, ..., 0.9``.
    """
    n = _check_n_states(n_states)
    return 2.0 * np.arange(1, n + 1) / (n + 1) - 1.0


def transition_model(n_states: int = N_STATES) -> tuple[np.ndarray, np.ndarray]:
    r"""Transition matrix among nonterminal states and expected one-step reward.

    Returns ``(P, r)`` with ``P[i, j]`` the probability of moving from ``i``
    to the nonterminal state ``j`` (rows of the two end states sum to 1/2,
    the rest is the exit) and ``r[i]`` the expected reward of one step from
    ``i`` (``-1/2`` at the left end, ``+1/2`` at the right end, else 0). The
    true values solve the Bellman equation :math:`v = r + P v` (:math:`\gamma = 1`).
    """
    n = _check_n_states(n_states)
    P = np.zeros((n, n))
    idx = np.arange(n - 1)
    P[idx, idx + 1] = 0.5
    P[idx + 1, idx] = 0.5
    r = np.zeros(n)
    r[0], r[-1] = -0.5, 0.5
    return P, r


class Walks(NamedTuple):
    """Pre-generated episodes of the random walk, padded to a common length.

    Attributes:
        states: ``int64 [runs, episodes, L + 1]``. ``states[i, e, t]`` is
            :math:`S_t` of episode ``e`` of run ``i``; at ``t = lengths[i, e]``
            and after it, the terminal index ``n_states``.
        rewards: ``float64 [runs, episodes, L]``. ``rewards[i, e, t]`` is the
            reward of the transition from :math:`S_t` (``r_t`` in the book's
            notation); 0 after the episode's end.
        lengths: ``int64 [runs, episodes]``, the number of transitions ``T``.
        n_states: the number of nonterminal states.
    """

    states: np.ndarray
    rewards: np.ndarray
    lengths: np.ndarray
    n_states: int

    @property
    def n_runs(self) -> int:
        return self.states.shape[0]

    @property
    def n_episodes(self) -> int:
        return self.states.shape[1]


def generate_walks(n_runs: int, n_episodes: int, *, n_states: int = N_STATES, seed: int = 0) -> Walks:
    """Generate ``n_runs x n_episodes`` random-walk episodes from one seeded Generator.

    All walks are drawn together, a block of steps at a time, so generating
    1000 episodes takes milliseconds. The same ``seed`` always gives the same
    walks.

    Args:
        n_runs: independent runs (each learner starts afresh in every run).
        n_episodes: episodes per run.
        n_states: odd number of nonterminal states (19 in the book).
        seed: seed of ``numpy.random.default_rng``.

    Returns:
        A :class:`Walks` with arrays ``[n_runs, n_episodes, ...]``.
    """
    n_runs = _check_count("n_runs", n_runs)
    n_episodes = _check_count("n_episodes", n_episodes)
    n = _check_n_states(n_states)
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    rng = np.random.default_rng(int(seed))
    W = n_runs * n_episodes
    block = 2 * ((n + 1) // 2) ** 2  # twice the mean duration from the middle
    positions = [np.full((W, 1), n // 2, dtype=np.int64)]
    last = positions[0][:, 0]
    exit_time = np.full(W, -1, dtype=np.int64)  # index (into positions) of the first terminal position
    offset = 1
    while np.any(exit_time < 0):
        steps = 2 * rng.integers(0, 2, size=(W, block), dtype=np.int64) - 1
        path = last[:, None] + np.cumsum(steps, axis=1)
        outside = (path < 0) | (path >= n)
        first = np.where(outside.any(axis=1), outside.argmax(axis=1) + offset, -1)
        exit_time = np.where(exit_time < 0, first, exit_time)
        positions.append(path)
        last = path[:, -1]
        offset += block
    path = np.concatenate(positions, axis=1)
    lengths = exit_time  # T transitions: S_0 .. S_{T-1} nonterminal, S_T terminal
    L = int(lengths.max())
    t = np.arange(L + 1)
    states = np.where(t[None, :] < lengths[:, None], path[:, : L + 1], n)
    right = path[np.arange(W), lengths] >= n
    rewards = np.zeros((W, L))
    rewards[np.arange(W), lengths - 1] = np.where(right, 1.0, -1.0)
    return Walks(
        states=states.reshape(n_runs, n_episodes, L + 1),
        rewards=rewards.reshape(n_runs, n_episodes, L),
        lengths=lengths.reshape(n_runs, n_episodes),
        n_states=n,
    )


def rms_error(values) -> np.ndarray:
    r"""Root-mean-square error over states, :math:`\sqrt{\frac1n \sum_i (V_i - v_i)^2}`.

    Args:
        values: ``[..., n_states]`` value estimates of the nonterminal states.

    Returns:
        ``[...]``, the RMS error against :func:`true_values` along the last axis.
    """
    v = np.asarray(values)
    if v.dtype == np.bool_ or v.dtype.kind not in "fiu" or v.ndim < 1:
        raise ValueError(f"values must be a real array of shape [..., n_states], got {v.dtype} {v.shape}")
    truth = true_values(v.shape[-1])
    return np.sqrt(np.mean((v - truth) ** 2, axis=-1))
