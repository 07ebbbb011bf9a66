"""Rollouts that hold several episodes, collected from a Gymnasium vector environment (chapter 9, :ref:`ch09`).

A rollout here is a set of time-major arrays ``[T, N]`` (``N`` environments)
in the book's transition convention: row ``t`` of environment ``i`` is one
real transition ``(s_t, a_t, r_t, s'_t)`` with its flags ``terminated`` and
``truncated``. ``next_observations[t]`` is the *true* next observation
``s'_t``: at the end of an episode it is the episode's final observation, never
the first observation of the next episode.

Gymnasium's vector environments reset a finished sub-environment
automatically. In the default ``NEXT_STEP`` mode the reset happens on the
*next* call to ``step``: that call ignores the action, returns the first
observation of the new episode, reward 0 and both flags false. Such an
*autoreset step* is not a transition of the task, so :class:`RolloutCollector`
leaves it out of the rollout. In ``SAME_STEP`` mode the final observation
arrives in ``info["final_obs"]`` and every step is a real transition.

The module also converts between the book's flags ("done at ``t`` ends
transition ``t``") and the shifted ``episode_starts`` convention that some
libraries store ("observation ``t`` is the first of an episode").
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from numbers import Integral

import numpy as np

from ._validation import check_flags, check_rollout, check_unit_interval

__all__ = [
    "VectorRollout",
    "RolloutCollector",
    "collect_rollout",
    "to_episode_starts",
    "from_episode_starts",
    "fold_truncation_bootstrap",
]

_SUPPORTED_MODES = ("NextStep", "SameStep")


@dataclass(frozen=True)
class VectorRollout:
    """Time-major arrays of ``T`` real transitions in each of ``N`` environments.

    Attributes:
        observations: ``[T, N, *obs_shape]``, :math:`s_t`, in the observation space's dtype.
        actions: ``[T, N, *action_shape]``, :math:`a_t`, as the policy returned them.
        rewards: ``[T, N]`` float64, :math:`r_t`.
        terminated: ``[T, N]`` bool, :math:`s'_t` is a terminal state of the task.
        truncated: ``[T, N]`` bool, the episode was cut after step ``t`` (time limit).
        next_observations: ``[T, N, *obs_shape]``, the true next observation
            :math:`s'_t`; where an episode ended, its final observation.

    Inside an episode ``next_observations[t] == observations[t + 1]``; after a
    step with ``terminated | truncated`` the next row starts a new episode.
    The last row usually ends in the middle of an episode: its
    ``next_observations`` entry is where the rollout stopped.
    """

    observations: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    terminated: np.ndarray
    truncated: np.ndarray
    next_observations: np.ndarray

    @property
    def done(self) -> np.ndarray:
        """``[T, N]`` bool, true where the episode ended after step ``t``."""
        return self.terminated | self.truncated

    @property
    def num_steps(self) -> int:
        return self.rewards.shape[0]

    @property
    def num_envs(self) -> int:
        return self.rewards.shape[1]


def _mode_name(envs) -> str:
    metadata = getattr(envs, "metadata", None)
    if not isinstance(metadata, dict) or "autoreset_mode" not in metadata:
        raise ValueError(
            "envs must be a Gymnasium vector environment with metadata['autoreset_mode'] "
            "(Gymnasium >= 1.0)"
        )
    mode = metadata["autoreset_mode"]
    return getattr(mode, "value", mode)


class RolloutCollector:
    """Collect rollouts of real transitions from a Gymnasium vector environment.

    The collector remembers where each sub-environment is between calls, so
    consecutive calls to :meth:`collect` continue the same episodes.

    Autoreset handling:

    * ``NEXT_STEP`` (Gymnasium's default): after a step with
      ``terminated | truncated`` in environment ``i``, the vector
      environment's next ``step`` only resets environment ``i`` (the action is
      ignored, the reward is 0, both flags are false). That step is masked
      out: it is not recorded. The observation returned with the flags is the
      final observation, and becomes ``next_observations``.
    * ``SAME_STEP``: the step that ends an episode returns the next
      episode's first observation; the final observation is read from
      ``info["final_obs"][i]``.
    * ``DISABLED`` and anything else: refused with ``ValueError``.

    Because an autoreset step costs environment ``i`` one vector step, the
    environments do not all produce a real transition on every vector step.
    The collector steps until every environment has ``num_steps`` real
    transitions; the extra transitions of the others are kept and returned
    first by the next call. (They were chosen by the policy of that earlier
    call; in a training loop that changes the policy between calls, their
    number is at most the number of episode ends per environment.)

    Args:
        envs: a Gymnasium vector environment with array (``Box`` or
            ``Discrete``-like) observations.
        policy: ``policy(observations) -> actions`` with ``observations`` of
            shape ``[N, *obs_shape]`` and ``N`` actions returned.
        seed: passed to ``envs.reset(seed=seed)`` once, at construction.
    """

    def __init__(self, envs, policy, *, seed=None):
        mode = _mode_name(envs)
        if mode not in _SUPPORTED_MODES:
            raise ValueError(
                f"envs must use autoreset mode NEXT_STEP or SAME_STEP, got {mode!r}: "
                "with DISABLED you reset finished environments yourself"
            )
        num_envs = getattr(envs, "num_envs", None)
        if not isinstance(num_envs, Integral) or num_envs < 1:
            raise ValueError(f"envs must have a positive integer num_envs, got {num_envs!r}")
        if not callable(policy):
            raise ValueError(f"policy must be callable, got {type(policy).__name__}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, Integral)):
            raise ValueError(f"seed must be an integer or None, got {seed!r}")
        self.envs = envs
        self.policy = policy
        self.same_step = mode == "SameStep"
        self.num_envs = int(num_envs)
        obs, _ = envs.reset(seed=seed)
        self._obs = self._as_obs_array(obs)
        self._awaiting_reset = np.zeros(self.num_envs, dtype=bool)
        self._pending = [deque() for _ in range(self.num_envs)]

    def _as_obs_array(self, obs) -> np.ndarray:
        obs = np.asarray(obs)
        if obs.dtype == object or obs.ndim < 1 or obs.shape[0] != self.num_envs:
            raise ValueError(
                "envs must return observations as an array with one row per environment, "
                f"got {type(obs).__name__} of shape {getattr(obs, 'shape', None)}"
            )
        return obs

    def _actions(self, obs: np.ndarray) -> np.ndarray:
        actions = np.asarray(self.policy(obs.copy()))
        if actions.ndim < 1 or actions.shape[0] != self.num_envs:
            raise ValueError(
                f"policy must return one action per environment ({self.num_envs}), "
                f"got shape {actions.shape}"
            )
        return actions

    def _vector_step(self) -> None:
        """One call to ``envs.step``; append every real transition to its environment's queue."""
        actions = self._actions(self._obs)
        obs, rewards, terminated, truncated, info = self.envs.step(actions)
        obs = self._as_obs_array(obs)
        terminated = np.asarray(terminated, dtype=bool)
        truncated = np.asarray(truncated, dtype=bool)
        done = terminated | truncated
        for i in range(self.num_envs):
            if self._awaiting_reset[i]:
                continue  # NEXT_STEP autoreset step: action ignored, reward 0, not a transition
            next_obs = obs[i]
            if self.same_step and done[i]:
                next_obs = np.asarray(info["final_obs"][i], dtype=obs.dtype)
            self._pending[i].append(
                (self._obs[i].copy(), actions[i], float(rewards[i]), bool(terminated[i]),
                 bool(truncated[i]), np.array(next_obs, copy=True))
            )
        if not self.same_step:
            self._awaiting_reset = done  # the next step of these environments is a reset
        self._obs = obs

    def collect(self, num_steps) -> VectorRollout:
        """Return the next ``num_steps`` real transitions of every environment.

        Args:
            num_steps: ``T >= 1``, the number of rows of the rollout.

        Returns:
            A :class:`VectorRollout` with arrays of shape ``[T, N, ...]``.
        """
        if isinstance(num_steps, bool) or not isinstance(num_steps, Integral) or num_steps < 1:
            raise ValueError(f"num_steps must be a positive integer, got {num_steps!r}")
        T = int(num_steps)
        while min(len(q) for q in self._pending) < T:
            self._vector_step()
        rows = [[self._pending[i].popleft() for _ in range(T)] for i in range(self.num_envs)]

        def stack(k, dtype=None):  # field k of every row, as a [T, N, ...] array
            return np.stack([np.array([row[k] for row in env_rows], dtype=dtype) for env_rows in rows], axis=1)

        obs_dtype = self._obs.dtype
        return VectorRollout(
            observations=stack(0, obs_dtype),
            actions=stack(1),
            rewards=stack(2, np.float64),
            terminated=stack(3, bool),
            truncated=stack(4, bool),
            next_observations=stack(5, obs_dtype),
        )


def collect_rollout(envs, policy, num_steps, *, seed=None) -> VectorRollout:
    """Reset ``envs`` with ``seed`` and collect ``num_steps`` real transitions per environment.

    A one-call shortcut for ``RolloutCollector(envs, policy, seed=seed).collect(num_steps)``;
    see :class:`RolloutCollector` for how the autoreset step is handled.
    Derived in chapter 9.
    """
    return RolloutCollector(envs, policy, seed=seed).collect(num_steps)


def _check_start(name: str, x, width: tuple[int, ...]) -> np.ndarray:
    arr = np.asarray(x)
    if arr.dtype != np.bool_:
        if arr.dtype.kind not in "iu" or not np.all((arr == 0) | (arr == 1)):
            raise ValueError(f"{name} must be a boolean (or 0/1) scalar or array, got {x!r}")
        arr = arr.astype(bool)
    if arr.shape not in ((), width):
        raise ValueError(f"{name} must be a scalar or have shape {width}, got {arr.shape}")
    return np.broadcast_to(arr, width).copy()


def _check_bool_rollout(name: str, x) -> np.ndarray:
    arr = np.asarray(x)
    if arr.ndim not in (1, 2) or arr.shape[0] == 0:
        raise ValueError(f"{name} must have shape [T] or [T, N] with T >= 1, got {arr.shape}")
    return check_flags(name, arr, arr.shape)


def to_episode_starts(dones, first_start):
    r"""Shift "done ends transition ``t``" flags into ``episode_starts`` flags.

    .. math::

        \mathrm{episode\_starts}_0 = \mathrm{first\_start}, \qquad
        \mathrm{episode\_starts}_t = \mathrm{done}_{t-1} \quad (1 \le t < T).

    ``episode_starts[t]`` is true when observation ``t`` is the first of an
    episode. The last flag ``dones[T - 1]`` has no row left; it is returned
    as ``next_start`` (whether the observation after the rollout starts an
    episode), which libraries storing this convention keep separately.

    Args:
        dones: ``[T]`` or ``[T, N]`` booleans, ``terminated | truncated``.
        first_start: bool or ``[N]`` bools, whether row 0 starts an episode.

    Returns:
        ``(episode_starts, next_start)``: ``[T]`` or ``[T, N]`` bools and a bool or ``[N]`` bools.
        :func:`from_episode_starts` inverts it.
    """
    d = _check_bool_rollout("dones", dones)
    first = _check_start("first_start", first_start, d.shape[1:])
    starts = np.concatenate([first[None], d[:-1]], axis=0)
    next_start = d[-1].copy()
    return starts, (bool(next_start) if next_start.ndim == 0 else next_start)


def from_episode_starts(episode_starts, next_start):
    r"""Shift ``episode_starts`` flags back into "done ends transition ``t``" flags.

    .. math::

        \mathrm{done}_t = \mathrm{episode\_starts}_{t+1} \quad (t < T - 1), \qquad
        \mathrm{done}_{T-1} = \mathrm{next\_start}.

    The shifted convention records only *that* an episode ended, not *how*:
    terminated and truncated are merged into one flag. To recover the
    distinction you need the truncation flags (or a reward into which the
    truncation bootstrap was folded, see :func:`fold_truncation_bootstrap`).

    Args:
        episode_starts: ``[T]`` or ``[T, N]`` booleans.
        next_start: bool or ``[N]`` bools, whether the observation after the
            rollout starts an episode.

    Returns:
        ``(dones, first_start)``, the inverse of :func:`to_episode_starts`.
    """
    s = _check_bool_rollout("episode_starts", episode_starts)
    nxt = _check_start("next_start", next_start, s.shape[1:])
    dones = np.concatenate([s[1:], nxt[None]], axis=0)
    first = s[0].copy()
    return dones, (bool(first) if first.ndim == 0 else first)


def fold_truncation_bootstrap(rewards, next_values, terminated, truncated, *, gamma):
    r"""Fold the truncation bootstrap into the reward, so that "done" can mean "value 0".

    .. math::

        \tilde r_t = r_t + \gamma\, V'_t \,[\mathrm{truncated}_t \wedge \lnot \mathrm{terminated}_t],
        \qquad \tilde d_t = \mathrm{terminated}_t \lor \mathrm{truncated}_t .

    An estimator that bootstraps with 0 wherever ``done`` is true then gets
    the same TD errors, and the same GAE, as :func:`gaebook.gae` with the
    separate flags (chapter 9). Some libraries handle time limits this way.

    Args:
        rewards, next_values, terminated, truncated: as in :func:`gaebook.gae`.
        gamma: discount in [0, 1].

    Returns:
        ``(folded_rewards, dones)`` in the inputs' shape; rewards in their float dtype.
    """
    ro = check_rollout(rewards, None, next_values, terminated, truncated)
    gamma = check_unit_interval("gamma", gamma)
    cut = ro.truncated & ~ro.terminated
    folded = ro.rewards + gamma * np.where(cut, ro.next_values, 0.0)
    dones = ro.done
    return ro.out(folded), (dones[:, 0] if ro.squeeze else dones)

