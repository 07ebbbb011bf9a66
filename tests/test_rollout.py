"""Tests of gaebook.rollout: collecting [T, N] rollouts from Gymnasium vector envs (chapter 9)."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.vector import AutoresetMode, SyncVectorEnv
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gaebook import gae
from gaebook.rollout import (
    RolloutCollector,
    collect_rollout,
    fold_truncation_bootstrap,
    from_episode_starts,
    to_episode_starts,
)

FIELDS = ("observations", "actions", "rewards", "terminated", "truncated", "next_observations")
SEED = 2  # with this seed, env 1 terminates at row 178 and is truncated at row 678 = 178 + 500
T = 700


def wobbly_policy(obs):
    """Deterministic in the observation: push towards the pole's fall, plus a pseudo-random wobble.

    Without the wobble the pole stays up for all 500 steps; with it some
    episodes fail early, so a rollout holds terminations and truncations.
    """
    obs = np.asarray(obs)
    wobble = np.sin(1000.0 * obs.sum(axis=-1))
    return (obs[..., 2] + 0.5 * obs[..., 3] + 0.2 * wobble > 0).astype(np.int64)


def make_envs(n=2, mode=AutoresetMode.NEXT_STEP):
    return SyncVectorEnv([lambda: gym.make("CartPole-v1") for _ in range(n)], autoreset_mode=mode)


@pytest.fixture(scope="module")
def rollout():
    return collect_rollout(make_envs(), wobbly_policy, T, seed=SEED)


def replay_single_env(env_seed, num_steps):
    """The same policy on one plain CartPole-v1, resetting by hand: the reference trajectory."""
    env = gym.make("CartPole-v1")
    obs, _ = env.reset(seed=env_seed)
    rows = []
    for _ in range(num_steps):
        action = int(wobbly_policy(obs[None])[0])
        next_obs, reward, terminated, truncated, _ = env.step(action)
        rows.append((obs, action, reward, terminated, truncated, next_obs))
        obs = env.reset()[0] if terminated or truncated else next_obs
    return [np.array([r[k] for r in rows]) for k in range(6)]


def test_default_vector_env_of_pinned_gymnasium_uses_next_step_autoreset():
    assert make_envs().metadata["autoreset_mode"] == AutoresetMode.NEXT_STEP
    assert gym.make_vec("CartPole-v1", num_envs=2).metadata["autoreset_mode"] == AutoresetMode.NEXT_STEP


def test_shapes_and_dtypes_are_time_major(rollout):
    assert rollout.observations.shape == (T, 2, 4) and rollout.observations.dtype == np.float32
    assert rollout.next_observations.shape == (T, 2, 4) and rollout.next_observations.dtype == np.float32
    assert rollout.actions.shape == (T, 2) and rollout.actions.dtype == np.int64
    assert rollout.rewards.shape == (T, 2) and rollout.rewards.dtype == np.float64
    for flags in (rollout.terminated, rollout.truncated, rollout.done):
        assert flags.shape == (T, 2) and flags.dtype == np.bool_
    assert (rollout.num_steps, rollout.num_envs) == (T, 2)


def test_rollout_holds_a_termination_then_a_truncation_at_step_500_of_the_next_episode(rollout):
    assert np.argwhere(rollout.terminated[:, 1]).ravel()[0] == 178
    assert rollout.truncated[678, 1] and not rollout.terminated[678, 1]
    assert not rollout.done[179:678, 1].any()  # one episode of exactly 500 steps, rows 179..678


def test_next_observation_at_truncation_is_the_final_observation_not_the_reset_one(rollout):
    final = rollout.next_observations[678, 1]
    first_of_next = rollout.observations[679, 1]
    assert not np.allclose(final, first_of_next)
    assert np.all(np.abs(first_of_next) <= 0.05)  # CartPole resets every coordinate into [-0.05, 0.05]
    assert np.abs(final[0]) > 0.05  # the cart has moved during 500 steps
    # the final observation continues the episode: it is what the last action led to
    _, _, _, _, _, ref_next = replay_single_env(SEED + 1, T)
    np.testing.assert_array_equal(final, ref_next[678])


def test_each_column_equals_a_single_env_replay_with_autoreset_steps_removed(rollout):
    for i in range(2):
        ref = replay_single_env(SEED + i, T)
        for name, expected in zip(FIELDS, ref):
            np.testing.assert_array_equal(getattr(rollout, name)[:, i], expected, err_msg=name)


def test_autoreset_steps_are_not_recorded_so_every_reward_is_one(rollout):
    assert np.all(rollout.rewards == 1.0)  # CartPole pays 1 per real step; autoreset steps pay 0


def test_inside_an_episode_next_observation_is_the_next_row(rollout):
    inside = ~rollout.done[:-1]
    np.testing.assert_array_equal(rollout.next_observations[:-1][inside], rollout.observations[1:][inside])


def test_same_step_mode_gives_the_same_rollout_as_next_step_mode(rollout):
    same = collect_rollout(make_envs(mode=AutoresetMode.SAME_STEP), wobbly_policy, T, seed=SEED)
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(same, name), getattr(rollout, name), err_msg=name)


def test_cartpole_native_vector_env_also_masks_its_autoreset_steps():
    envs = gym.make_vec("CartPole-v1", num_envs=3)  # CartPoleVectorEnv, NEXT_STEP
    ro = collect_rollout(envs, wobbly_policy, 400, seed=0)
    assert ro.done.any()
    assert np.all(ro.rewards == 1.0)
    inside = ~ro.done[:-1]
    np.testing.assert_array_equal(ro.next_observations[:-1][inside], ro.observations[1:][inside])
    after_end = ro.observations[1:][ro.done[:-1]]
    assert np.all(np.abs(after_end) <= 0.05)  # the row after an episode end is a fresh reset state


def test_consecutive_collects_continue_the_same_episodes(rollout):
    collector = RolloutCollector(make_envs(), wobbly_policy, seed=SEED)
    parts = [collector.collect(n) for n in (178, 1, 300, 221)]  # splits right at and after the end at 178
    for name in FIELDS:
        joined = np.concatenate([getattr(p, name) for p in parts])
        np.testing.assert_array_equal(joined, getattr(rollout, name), err_msg=name)


def test_gae_on_the_vector_rollout_equals_gae_per_episode(rollout):
    def value(obs):  # a fixed stand-in critic
        return 20.0 - 30.0 * obs[..., 0].astype(np.float64) ** 2 - 5.0 * obs[..., 2] ** 2

    values, next_values = value(rollout.observations), value(rollout.next_observations)
    adv, _ = gae(rollout.rewards, values, next_values, rollout.terminated, rollout.truncated, gamma=0.99, lam=0.95)
    for i in range(2):
        ends = np.flatnonzero(rollout.done[:, i] | (np.arange(T) == T - 1))
        start = 0
        for end in ends:
            sl = slice(start, end + 1)
            a_ep, _ = gae(rollout.rewards[sl, i], values[sl, i], next_values[sl, i],
                          rollout.terminated[sl, i], rollout.truncated[sl, i], gamma=0.99, lam=0.95)
            np.testing.assert_array_equal(adv[sl, i], a_ep)
            start = end + 1


# ---------------------------------------------------------------- bad input


class _NoModeEnv:
    num_envs = 1
    metadata: dict = {}


def test_disabled_autoreset_mode_is_refused():
    with pytest.raises(ValueError, match="^envs must use autoreset mode"):
        RolloutCollector(make_envs(mode=AutoresetMode.DISABLED), wobbly_policy)


def test_env_without_autoreset_metadata_is_refused():
    with pytest.raises(ValueError, match="^envs must be a Gymnasium vector environment"):
        RolloutCollector(_NoModeEnv(), wobbly_policy)


@pytest.mark.parametrize("num_steps", [0, -3, 2.5, True, "10", None])
def test_bad_num_steps_raises(num_steps):
    collector = RolloutCollector(make_envs(1), wobbly_policy, seed=0)
    with pytest.raises(ValueError, match="^num_steps"):
        collector.collect(num_steps)


def test_policy_must_be_callable():
    with pytest.raises(ValueError, match="^policy must be callable"):
        RolloutCollector(make_envs(1), "left")


def test_policy_returning_the_wrong_number_of_actions_raises():
    collector = RolloutCollector(make_envs(2), lambda obs: np.zeros(3, dtype=np.int64), seed=0)
    with pytest.raises(ValueError, match="^policy must return one action per environment"):
        collector.collect(5)


@pytest.mark.parametrize("seed", [1.5, "0", True])
def test_bad_seed_raises(seed):
    with pytest.raises(ValueError, match="^seed"):
        RolloutCollector(make_envs(1), wobbly_policy, seed=seed)


# ---------------------------------------------------------------- conventions

flags_2d = st.integers(1, 12).flatmap(
    lambda t: st.integers(1, 4).flatmap(lambda n: hnp.arrays(np.bool_, (t, n)))
)


@given(flags_2d, st.booleans())
def test_episode_starts_round_trip_recovers_the_dones(dones, first):
    starts, next_start = to_episode_starts(dones, first)
    assert starts.shape == dones.shape
    np.testing.assert_array_equal(starts[1:], dones[:-1])  # observation t starts an episode iff t - 1 ended one
    back, first_back = from_episode_starts(starts, next_start)
    np.testing.assert_array_equal(back, dones)
    assert np.all(first_back == first)


@given(hnp.arrays(np.bool_, st.integers(1, 12)), st.booleans())
def test_episode_starts_of_one_env_keep_the_shape_t(dones, first):
    starts, next_start = to_episode_starts(dones, first)
    assert starts.shape == dones.shape and isinstance(next_start, bool)
    assert starts[0] == first and next_start == dones[-1]


@settings(max_examples=60)
@given(st.integers(0, 2**32 - 1), st.integers(1, 15), st.integers(1, 3))
def test_folding_the_truncation_bootstrap_into_rewards_gives_the_same_gae(seed, t, n):
    rng = np.random.default_rng(seed)
    r, v, nv = rng.normal(size=(3, t, n))
    term, trunc = rng.random((2, t, n)) < 0.3
    folded, dones = fold_truncation_bootstrap(r, nv, term, trunc, gamma=0.9)
    a_ref, _ = gae(r, v, nv, term, trunc, gamma=0.9, lam=0.8)
    # "done" now means "bootstrap with 0"; steps that are not done still bootstrap from next_values
    a_fold, _ = gae(folded, v, nv, dones, np.zeros_like(dones), gamma=0.9, lam=0.8)
    np.testing.assert_allclose(a_fold, a_ref, rtol=1e-12, atol=1e-12)


def test_fold_keeps_float32_and_adds_only_at_truncated_not_terminated_steps():
    r = np.ones(4, dtype=np.float32)
    nv = np.array([5.0, 6.0, 7.0, 8.0], dtype=np.float32)
    term = np.array([False, True, True, False])
    trunc = np.array([False, False, True, True])
    folded, dones = fold_truncation_bootstrap(r, nv, term, trunc, gamma=0.5)
    assert folded.dtype == np.float32
    np.testing.assert_array_equal(folded, [1.0, 1.0, 1.0, 5.0])
    np.testing.assert_array_equal(dones, [False, True, True, True])


def test_bad_convention_inputs_raise():
    with pytest.raises(ValueError, match="^dones"):
        to_episode_starts(np.array([0.5, 1.0]), True)
    with pytest.raises(ValueError, match="^dones"):
        to_episode_starts(np.zeros((0,), dtype=bool), True)
    with pytest.raises(ValueError, match="^first_start"):
        to_episode_starts(np.zeros((3, 2), dtype=bool), np.array([True, False, True]))
    with pytest.raises(ValueError, match="^episode_starts"):
        from_episode_starts(np.zeros((2, 2, 2), dtype=bool), True)
    with pytest.raises(ValueError, match="^next_start"):
        from_episode_starts(np.zeros(3, dtype=bool), 2)
    with pytest.raises(ValueError, match="^gamma"):
        fold_truncation_bootstrap(np.ones(2), np.ones(2), [False, False], [True, False], gamma=1.5)
