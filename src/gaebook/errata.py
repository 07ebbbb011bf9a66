r"""Published slips about GAE and PPO, each as a wrong/fixed pair of functions (chapter 16, :ref:`ch16`).

Every erratum is an :class:`Erratum`: a function that computes the quantity
*as it was published* (``wrong``), the corrected function (``fixed``), the
library's reference (``reference``, always :mod:`gaebook` code proved in an
earlier chapter), and a generator of random test cases. :func:`run_erratum`
evaluates all three on one case and reports how far the published version
is from the reference and how far the fix is.

The wrong versions are here on purpose, so that chapter 16 and
``tests/test_errata.py`` run the *same* pairs: a future change to the
library that brings a slip back makes the reference agree with ``wrong``,
and the test fails. None of the ``wrong_*`` functions should be used for
anything else.

Conventions: one episode segment of ``T`` steps, arrays of shape ``[T]``,
``values[t] = V(s_t)`` and ``next_values[t] = V(s'_t)`` (the book's
transition convention of chapter 9).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .gae import gae
from .nstep import nstep_advantages
from .returns import discounted_returns, lambda_returns
from .tokens import masked_whiten, token_gae

__all__ = [
    "ERRATA",
    "Erratum",
    "ErratumResult",
    "random_segment",
    "run_erratum",
    "baseline_moments",
    "cleanrl_style_gae",
    "purejaxrl_style_gae",
]


# --------------------------------------------------------------------- cases
def random_segment(rng, T=12, *, p_terminal=0.0, p_truncate=0.0, last="bootstrap"):
    """A random rollout segment ``[T]`` in the book's transition convention.

    ``p_terminal`` and ``p_truncate`` are per-step probabilities of an
    episode end inside the segment. ``last`` says how the final step ends:
    ``"bootstrap"`` (the rollout stops mid-episode), ``"terminal"`` or
    ``"truncated"``. Inside an episode ``next_values[t] == values[t+1]``;
    after a truncation ``next_values[t]`` is the value of the episode's final
    observation, a fresh number that no row of ``values`` holds.
    """
    if T < 2:
        raise ValueError(f"T must be at least 2, got {T!r}")
    rewards = rng.normal(size=T)
    values = rng.normal(size=T)
    u = rng.random(T)
    terminated = u < p_terminal
    truncated = (~terminated) & (u < p_terminal + p_truncate)
    terminated[-1] = last == "terminal"
    truncated[-1] = last == "truncated"
    next_values = np.append(values[1:], rng.normal())
    final_obs_value = rng.normal(size=T)
    next_values = np.where(truncated, final_obs_value, next_values)
    next_values = np.where(terminated, 0.0, next_values)
    return {
        "rewards": rewards,
        "values": values,
        "next_values": next_values,
        "terminated": terminated,
        "truncated": truncated,
        "gamma": float(rng.uniform(0.8, 0.99)),
        "lam": float(rng.uniform(0.5, 0.95)),
    }


def _rollout(case):
    return (case["rewards"], case["values"], case["next_values"], case["terminated"],
            case["truncated"])


def _td(case):
    r, v, nv, term, _ = _rollout(case)
    return r + case["gamma"] * np.where(term, 0.0, nv) - v


# ------------------------------------------------------- derivation slips
def wrong_nstep_return(case, n=3):
    """R_t^(n) printed with gamma^n V(s_{t+1}) as its bootstrap (t = 0, one episode)."""
    r, v, nv, _, _ = _rollout(case)
    g = case["gamma"]
    return sum(g**l * r[l] for l in range(n)) + g**n * nv[0]  # V(s_1), not V(s_n)


def fixed_nstep_return(case, n=3):
    """R_t^(n) = sum_{l<n} gamma^l r_{t+l} + gamma^n V(s_{t+n}) (t = 0)."""
    r, v, nv, _, _ = _rollout(case)
    g = case["gamma"]
    return sum(g**l * r[l] for l in range(n)) + g**n * nv[n - 1]


def ref_nstep_return(case, n=3):
    """Chapter 6: R_t^(n) = A_t^(n) + V(s_t), from the library."""
    adv = nstep_advantages(*_rollout(case), gamma=case["gamma"], k=n)
    return adv[0] + case["values"][0]


def _nstep_return_at(case, t, n):
    """R_t^(n) inside one episode that ends (terminally) after the last row."""
    r, v, nv, term, _ = _rollout(case)
    g, T = case["gamma"], len(r)
    m = min(n, T - t)
    out = sum(g**l * r[t + l] for l in range(m))
    return out + (g**m * nv[t + m - 1] if not term[t + m - 1] else 0.0)


def wrong_lambda_return(case):
    """(1 - lam) sum_{n=0}^{T} lam^n R_t^(n): n from 0, no tail weight (t = 0)."""
    lam, T = case["lam"], len(case["rewards"])
    total = 0.0
    for n in range(0, T + 1):  # R^(0) = V(s_t) gets weight (1 - lam), as printed
        ret = case["values"][0] if n == 0 else _nstep_return_at(case, 0, n)
        total += (1 - lam) * lam**n * ret
    return total


def fixed_lambda_return(case):
    """(1 - lam) sum_{n=1}^{T-1} lam^{n-1} R^(n) + lam^{T-1} R^(T) (t = 0, episode of T steps)."""
    lam, T = case["lam"], len(case["rewards"])
    body = sum((1 - lam) * lam ** (n - 1) * _nstep_return_at(case, 0, n) for n in range(1, T))
    return body + lam ** (T - 1) * _nstep_return_at(case, 0, T)


def ref_lambda_return(case):
    """Chapter 8: the library's backward recursion for R_t(lambda)."""
    r, _, nv, term, trunc = _rollout(case)
    return lambda_returns(r, nv, term, trunc, gamma=case["gamma"], lam=case["lam"])[0]


def wrong_three_step_rewards(case):
    """A_t^(3) expanded with gamma^2 r_{t+1} where gamma^2 r_{t+2} is meant (t = 0)."""
    r, v, nv, _, _ = _rollout(case)
    g = case["gamma"]
    return -v[0] + r[0] + g * r[1] + g**2 * r[1] + g**3 * nv[2]


def fixed_three_step_rewards(case):
    r, v, nv, _, _ = _rollout(case)
    g = case["gamma"]
    return -v[0] + r[0] + g * r[1] + g**2 * r[2] + g**3 * nv[2]


def ref_three_step(case):
    return nstep_advantages(*_rollout(case), gamma=case["gamma"], k=3)[0]


def wrong_three_step_deltas(case):
    """A_t^(3) written as delta_t + gamma delta_{t+1} + gamma^2 delta_{t+1} (t = 0)."""
    d, g = _td(case), case["gamma"]
    return d[0] + g * d[1] + g**2 * d[1]


def fixed_three_step_deltas(case):
    d, g = _td(case), case["gamma"]
    return d[0] + g * d[1] + g**2 * d[2]


def _kstep(case, k):
    return nstep_advantages(*_rollout(case), gamma=case["gamma"], k=k)


def wrong_gae_weights(case):
    """GAE as sum_k lam^{k-1} A^(k): weights without the factor (1 - lam) (all t).

    The episode ends after the segment, so A^(k) = A^(T) for every k >= T and
    the infinite tail is summed in closed form: sum_{k>=T} lam^{k-1} = lam^{T-1}/(1-lam).
    """
    lam, T = case["lam"], len(case["rewards"])
    body = sum(lam ** (k - 1) * _kstep(case, k) for k in range(1, T))
    return body + lam ** (T - 1) / (1 - lam) * _kstep(case, T)


def fixed_gae_weights(case):
    """(1 - lam) sum_k lam^{k-1} A^(k); the tail k >= T sums to lam^{T-1} A^(T)."""
    lam, T = case["lam"], len(case["rewards"])
    body = sum((1 - lam) * lam ** (k - 1) * _kstep(case, k) for k in range(1, T))
    return body + lam ** (T - 1) * _kstep(case, T)


def ref_gae(case):
    adv, _ = gae(*_rollout(case), gamma=case["gamma"], lam=case["lam"])
    return adv


def wrong_reward_to_go(case):
    """sum_{t' >= t} gamma^{t'-t} r_t: the summand's index is t, not t'."""
    r, g, T = case["rewards"], case["gamma"], len(case["rewards"])
    return np.array([sum(g ** (tp - t) * r[t] for tp in range(t, T)) for t in range(T)])


def fixed_reward_to_go(case):
    r, g, T = case["rewards"], case["gamma"], len(case["rewards"])
    return np.array([sum(g ** (tp - t) * r[tp] for tp in range(t, T)) for t in range(T)])


def ref_reward_to_go(case):
    r = case["rewards"]
    done = np.zeros(len(r), dtype=bool)
    term = done.copy()
    term[-1] = True
    return discounted_returns(r, np.zeros_like(r), term, done, gamma=case["gamma"])


def _truncated_gae_sum(case, last_exponent_offset):
    """The PPO paper's Eq. 11 over a segment of T steps, last exponent T - t + offset."""
    d, gl, T = _td(case), case["gamma"] * case["lam"], len(case["rewards"])
    out = np.empty(T)
    for t in range(T):
        body = sum(gl**l * d[t + l] for l in range(T - t - 1))
        out[t] = body + gl ** (T - t + last_exponent_offset) * d[T - 1]
    return out


def wrong_ppo_eq11(case):
    """PPO paper Eq. 11 as printed: ... + (gamma lam)^{T-t+1} delta_{T-1}."""
    return _truncated_gae_sum(case, +1)


def fixed_ppo_eq11(case):
    """... + (gamma lam)^{T-t-1} delta_{T-1}."""
    return _truncated_gae_sum(case, -1)


# ------------------------------------------------------ implementation slips
def wrong_bootstrap_from_next_row(case):
    """At a truncation, bootstrap with values[t+1]: the next episode's first state."""
    r, v, nv, term, trunc = _rollout(case)
    shifted = np.append(v[1:], nv[-1])  # what `values[1:]` gives
    return gae(r, v, np.where(trunc, shifted, nv), term, trunc,
               gamma=case["gamma"], lam=case["lam"])[0]


def fixed_true_next_value(case):
    return gae(*_rollout(case), gamma=case["gamma"], lam=case["lam"])[0]


def wrong_truncation_as_termination(case):
    """done = terminated or truncated, and done means 'value 0'."""
    r, v, nv, term, trunc = _rollout(case)
    return gae(r, v, nv, term | trunc, np.zeros_like(trunc), gamma=case["gamma"],
               lam=case["lam"])[0]


def wrong_no_boundary_at_truncation(case):
    """Truncation ignored entirely: the carry and values[t+1] cross into the next episode."""
    r, v, nv, term, trunc = _rollout(case)
    shifted = np.append(v[1:], nv[-1])
    nv2 = np.where(trunc, shifted, nv)
    return gae(r, v, nv2, term, np.zeros_like(trunc), gamma=case["gamma"], lam=case["lam"])[0]


def wrong_terminal_keeps_next_value(case):
    """delta = r + gamma V(s') - V(s) even after a terminal step; only the carry is cut."""
    r, v, nv, term, trunc = _rollout(case)
    stale = np.where(term, case["stale_next_values"], nv)  # whatever the buffer held
    delta = r + case["gamma"] * stale - v
    out, running = np.empty_like(delta), 0.0
    for t in range(len(r) - 1, -1, -1):
        running = delta[t] + case["gamma"] * case["lam"] * (not (term[t] or trunc[t])) * running
        out[t] = running
    return out


def cleanrl_style_gae(rewards, values, next_value, dones, next_done, *, gamma, lam):
    """CleanRL's loop: ``dones[t]`` is True when observation t *starts* an episode.

    ``nextnonterminal = 1 - dones[t+1]`` (or ``1 - next_done`` at the end) and
    ``nextvalues = values[t+1]`` (or ``next_value``). Truncation is not
    bootstrapped: an episode end is a zero-value end.
    """
    T = len(rewards)
    adv, last = np.zeros(T), 0.0
    for t in reversed(range(T)):
        if t == T - 1:
            nonterminal, nextv = 1.0 - next_done, next_value
        else:
            nonterminal, nextv = 1.0 - dones[t + 1], values[t + 1]
        delta = rewards[t] + gamma * nextv * nonterminal - values[t]
        last = delta + gamma * lam * nonterminal * last
        adv[t] = last
    return adv


def purejaxrl_style_gae(rewards, values, next_value, dones, *, gamma, lam):
    """purejaxrl's scan: ``dones[t]`` is True when transition t *ends* an episode."""
    T = len(rewards)
    adv, last, nextv = np.zeros(T), 0.0, next_value
    for t in reversed(range(T)):
        delta = rewards[t] + gamma * nextv * (1.0 - dones[t]) - values[t]
        last = delta + gamma * lam * (1.0 - dones[t]) * last
        adv[t] = last
        nextv = values[t]
    return adv


def _ends_and_starts(case):
    term = case["terminated"]
    starts = np.concatenate([[False], term[:-1]])  # obs t starts an episode
    return term, starts


def wrong_mixed_done_alignment(case):
    """purejaxrl-style flags (done ends step t) fed to CleanRL's dones[t+1] loop."""
    r, v, nv, term, _ = _rollout(case)
    ends, _ = _ends_and_starts(case)
    return cleanrl_style_gae(r, v, nv[-1], ends.astype(float), 0.0,
                             gamma=case["gamma"], lam=case["lam"])


def fixed_cleanrl_alignment(case):
    """CleanRL's loop with its own flags: dones[t] = obs t starts an episode."""
    r, v, nv, term, _ = _rollout(case)
    ends, starts = _ends_and_starts(case)
    return cleanrl_style_gae(r, v, nv[-1], starts.astype(float), float(ends[-1]),
                             gamma=case["gamma"], lam=case["lam"])


def ref_gae_terminal_only(case):
    r, v, nv, term, trunc = _rollout(case)
    return gae(r, v, nv, term, trunc, gamma=case["gamma"], lam=case["lam"])[0]


def wrong_stale_advantage_targets(case):
    """returns = storage.advantages + values, read before the advantages were stored (zeros)."""
    return np.zeros_like(case["values"]) + case["values"]


def fixed_fresh_targets(case):
    adv = gae(*_rollout(case), gamma=case["gamma"], lam=case["lam"])[0]
    return adv + case["values"]


def ref_gae_returns(case):
    return gae(*_rollout(case), gamma=case["gamma"], lam=case["lam"])[1]


# ----------------------------------------------------- language-model slips
def random_padded_batch(rng, B=4, L=7, *, pad_value=100.0):
    """Right-padded responses: ``mask[b, :n_b] = 1``; pads hold ``pad_value`` as their value."""
    lengths = rng.integers(2, L, size=B)
    mask = np.arange(L)[None, :] < lengths[:, None]
    rewards = np.where(mask, rng.normal(scale=0.1, size=(B, L)), 0.0)
    scores = rng.normal(size=B)
    values = np.where(mask, rng.normal(size=(B, L)), pad_value)
    return {"mask": mask, "lengths": lengths, "kl_rewards": rewards, "scores": scores,
            "values": values, "gamma": 1.0, "lam": float(rng.uniform(0.9, 0.99))}


def _row_gae(rewards, values, n, *, gamma, lam, terminal=True, bootstrap=0.0):
    """GAE on the first n tokens of one row; the episode ends after token n - 1."""
    term = np.zeros(n, dtype=bool)
    term[-1] = terminal
    nv = np.append(values[1:n], bootstrap)
    return gae(rewards[:n], values[:n], nv, term, np.zeros(n, dtype=bool),
               gamma=gamma, lam=lam)[0]


def _per_row(case, fn):
    out = np.zeros_like(case["values"])
    for b, n in enumerate(case["lengths"]):
        out[b, :n] = fn(b, n)
    return out


def _score_at(case, offset):
    rewards = case["kl_rewards"].copy()
    L = rewards.shape[1]
    for b, n in enumerate(case["lengths"]):
        rewards[b, min(n - 1 + offset, L - 1)] += case["scores"][b]
    return np.where(case["mask"], rewards, 0.0)  # the loss mask zeroes pads


def wrong_score_on_first_pad(case):
    """The score is added at index n (the first pad), which the mask then zeroes."""
    rew = _score_at(case, +1)
    return _per_row(case, lambda b, n: _row_gae(rew[b], case["values"][b], n,
                                                gamma=case["gamma"], lam=case["lam"]))


def fixed_score_on_last_token(case):
    rew = _score_at(case, 0)
    return _per_row(case, lambda b, n: _row_gae(rew[b], case["values"][b], n,
                                                gamma=case["gamma"], lam=case["lam"]))


def wrong_unmasked_pad_values(case):
    """GAE over the whole padded row: pad values enter the last real token's TD error."""
    rew = _score_at(case, 0)
    L = rew.shape[1]
    out = np.zeros_like(rew)
    for b in range(len(rew)):
        full = _row_gae(rew[b], case["values"][b], L, gamma=case["gamma"], lam=case["lam"])
        out[b] = np.where(case["mask"][b], full, 0.0)
    return out


def wrong_end_as_truncation(case):
    """The last real token bootstraps from the pad after it, as if the response were cut."""
    rew = _score_at(case, 0)
    L = rew.shape[1]
    return _per_row(case, lambda b, n: _row_gae(
        rew[b], case["values"][b], n, gamma=case["gamma"], lam=case["lam"], terminal=False,
        bootstrap=case["values"][b, n] if n < L else 0.0))


def ref_token_gae(case):
    """Chapter 14: the library's masked token-level GAE, score on the last real token."""
    return token_gae(_score_at(case, 0), case["values"], case["mask"],
                     gamma=case["gamma"], lam=case["lam"])[0]


def wrong_whiten_over_pads(case):
    """Mean and variance taken over the whole [B, L] array, pads (zeros) included."""
    adv = fixed_score_on_last_token(case)
    return np.where(case["mask"], (adv - adv.mean()) / np.sqrt(adv.var() + 1e-8), 0.0)


def fixed_masked_whiten(case):
    """Mean and (population) variance over real tokens only."""
    adv, m = fixed_score_on_last_token(case), case["mask"]
    mean = adv[m].mean()
    return np.where(m, (adv - mean) / np.sqrt(adv[m].var() + 1e-8), 0.0)


def ref_masked_whiten(case):
    return masked_whiten(ref_token_gae(case), case["mask"])


# -------------------------------------------------------------- folklore
def wrong_equal_weights(case):
    """'lam = 1 weights all future TD errors equally': A_t = sum_l delta_{t+l}."""
    d = _td(case)
    return np.cumsum(d[::-1])[::-1]


def fixed_gamma_weights(case):
    d, g, T = _td(case), case["gamma"], len(case["rewards"])
    return np.array([sum(g**l * d[t + l] for l in range(T - t)) for t in range(T)])


def ref_gae_lambda_one(case):
    return gae(*_rollout(case), gamma=case["gamma"], lam=1.0)[0]


def wrong_reward_to_go_target(case):
    """Spinning Up's value target: the discounted reward-to-go (a Monte Carlo target)."""
    r, v, nv, term, trunc = _rollout(case)
    return discounted_returns(r, nv, term, trunc, gamma=case["gamma"])


def fixed_gae_target(case):
    return gae(*_rollout(case), gamma=case["gamma"], lam=case["lam"])[1]


def baseline_moments(logits, rewards, baseline):
    r"""Exact mean and total variance of the one-sample score-function gradient.

    For a softmax bandit :math:`\pi = \mathrm{softmax}(\theta)` and the estimator
    :math:`g(a) = \nabla_\theta \log \pi(a)\,(R(a) - b)`, returns
    ``(mean, total_variance)`` with ``mean`` :math:`= \sum_a \pi(a) g(a)` (shape
    ``[n]``) and ``total_variance`` :math:`= \sum_a \pi(a) \lVert g(a) - \mathrm{mean}\rVert^2`.
    The mean does not depend on ``baseline`` (chapter 4); the variance does.
    """
    logits = np.asarray(logits, dtype=float)
    rewards = np.asarray(rewards, dtype=float)
    if logits.ndim != 1 or logits.size < 2 or not np.all(np.isfinite(logits)):
        raise ValueError("logits must be a finite 1-D array with at least two actions")
    if rewards.shape != logits.shape or not np.all(np.isfinite(rewards)):
        raise ValueError(f"rewards must be finite with shape {logits.shape}")
    if not np.isfinite(baseline):
        raise ValueError(f"baseline must be finite, got {baseline!r}")
    p = np.exp(logits - logits.max())
    p /= p.sum()
    scores = np.eye(len(p)) - p[None, :]  # row a: grad log pi(a) = e_a - pi
    g = scores * (rewards - baseline)[:, None]
    mean = p @ g
    return mean, float(p @ np.sum((g - mean) ** 2, axis=1))


# ---------------------------------------------------------------- registry
@dataclass(frozen=True)
class Erratum:
    """One published slip: the published version, the fix, and the library's reference."""

    key: str
    group: str  # "derivation", "implementation" or "folklore"
    title: str
    source: str  # bibliography key(s), comma-separated
    chapter: str  # label of the chapter that proves the right version
    wrong: Callable
    fixed: Callable
    reference: Callable
    make_case: Callable
    is_slip: bool = True  # False: a different, legitimate choice (shown, not condemned)


@dataclass(frozen=True)
class ErratumResult:
    """``gap``: max |wrong - reference|; ``fixed_error``: max |fixed - reference|; ``scale``: max |reference|."""

    gap: float
    fixed_error: float
    scale: float

    @property
    def relative_gap(self) -> float:
        return self.gap / max(self.scale, 1e-300)


def run_erratum(erratum: Erratum, rng) -> ErratumResult:
    """Evaluate the published, fixed and reference versions on one random case."""
    if not isinstance(erratum, Erratum):
        raise ValueError(f"erratum must be an Erratum, got {type(erratum).__name__}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    case = erratum.make_case(rng)
    ref = np.asarray(erratum.reference(case), dtype=float)
    wrong = np.asarray(erratum.wrong(case), dtype=float)
    fixed = np.asarray(erratum.fixed(case), dtype=float)
    return ErratumResult(
        gap=float(np.max(np.abs(wrong - ref))),
        fixed_error=float(np.max(np.abs(fixed - ref))),
        scale=float(np.max(np.abs(ref))),
    )


def _episode(rng, T=12):
    return random_segment(rng, T, last="terminal")


def _multi(rng):
    return random_segment(rng, 40, p_terminal=0.05, p_truncate=0.1)


def _terminal_inside(rng):
    case = random_segment(rng, 40, p_terminal=0.15)
    case["stale_next_values"] = rng.normal(size=40)  # a buffer that was never zeroed
    return case


def _truncations(rng):
    return random_segment(rng, 40, p_truncate=0.15)


def _terminals(rng):
    return random_segment(rng, 40, p_terminal=0.15)


ERRATA = (
    Erratum("nstep-bootstrap", "derivation", "n-step return bootstrapped from V(s_{t+1})",
            "", "ch08", wrong_nstep_return, fixed_nstep_return,
            ref_nstep_return, _episode),
    Erratum("lambda-return-from-zero", "derivation",
            "λ-return summed from n = 0 with no tail weight", "", "ch08",
            wrong_lambda_return, fixed_lambda_return, ref_lambda_return, _episode),
    Erratum("three-step-reward-index", "derivation", "γ² r_{t+1} in the three-step expansion",
            "labml2024gae255", "ch06", wrong_three_step_rewards, fixed_three_step_rewards,
            ref_three_step, _episode),
    Erratum("three-step-delta-index", "derivation", "γ² δ_{t+1} in Â^(3)", "",
            "ch06", wrong_three_step_deltas, fixed_three_step_deltas, ref_three_step, _episode),
    Erratum("gae-weights-unnormalised", "derivation", "weights λ^{k−1} without (1 − λ)",
            "labml2024gae255", "ch07", wrong_gae_weights, fixed_gae_weights, ref_gae, _episode),
    Erratum("reward-to-go-index", "derivation", "r_t inside the reward-to-go sum",
            "", "ch03", wrong_reward_to_go, fixed_reward_to_go, ref_reward_to_go,
            _episode),
    Erratum("ppo-eq11-exponent", "derivation", "(γλ)^{T−t+1} on the last TD error",
            "schulman2017ppo", "ch12", wrong_ppo_eq11, fixed_ppo_eq11, ref_gae,
            lambda rng: random_segment(rng, 12)),
    Erratum("rlax-docstring-exponent", "derivation",
            "the same exponent copied into library docstrings", "rlax2020multistep",
            "ch12", wrong_ppo_eq11, fixed_ppo_eq11, ref_gae, lambda rng: random_segment(rng, 8)),
    Erratum("bootstrap-next-row", "implementation",
            "values[t+1] as the bootstrap at a truncation", "torchrl2026vtrace4209,cleanrl2022timeout198",
            "ch09", wrong_bootstrap_from_next_row, fixed_true_next_value, ref_gae,
            _truncations),
    Erratum("truncation-as-termination", "implementation",
            "a time limit treated as a terminal state", "cleanrl2022timeout198,skrl2026gae449", "ch09",
            wrong_truncation_as_termination, fixed_true_next_value, ref_gae, _truncations),
    Erratum("no-boundary-at-truncation", "implementation",
            "advantages carried across a truncation", "skrl2026gae449", "ch09",
            wrong_no_boundary_at_truncation, fixed_true_next_value, ref_gae, _truncations),
    Erratum("terminal-keeps-next-value", "implementation",
            "γ V(s') kept in a terminal TD error", "tianshou2023gae869", "ch09",
            wrong_terminal_keeps_next_value, fixed_true_next_value, ref_gae, _terminal_inside),
    Erratum("mixed-done-alignment", "implementation",
            "done_t flags fed to a dones[t+1] loop", "cleanrl2022ppocode,purejaxrl2023,sb2019gae385",
            "ch12", wrong_mixed_done_alignment, fixed_cleanrl_alignment,
            ref_gae_terminal_only, _terminals),
    Erratum("stale-advantage-targets", "implementation",
            "value targets built from advantages not yet computed", "cleanrl2022pr337", "ch08",
            wrong_stale_advantage_targets, fixed_fresh_targets, ref_gae_returns, _multi),
    Erratum("score-on-first-pad", "implementation", "the score placed on the first pad",
            "trl2024reward1893,trl2025reward3750", "ch14", wrong_score_on_first_pad,
            fixed_score_on_last_token, ref_token_gae, random_padded_batch),
    Erratum("pad-values-leak", "implementation", "pad values inside the backward pass",
            "verl2024values50,roll2026gae447", "ch14", wrong_unmasked_pad_values,
            fixed_score_on_last_token, ref_token_gae, random_padded_batch),
    Erratum("end-as-truncation", "implementation",
            "the end of a response bootstrapped from a pad", "deepspeed2023ends672", "ch14",
            wrong_end_as_truncation, fixed_score_on_last_token, ref_token_gae,
            random_padded_batch),
    Erratum("whiten-over-pads", "implementation", "whitening statistics that include pads",
            "verl2025mask3805", "ch14", wrong_whiten_over_pads, fixed_masked_whiten,
            ref_masked_whiten, random_padded_batch),
    Erratum("lambda-one-equal-weights", "folklore",
            "“λ = 1 weights all future TD errors equally”", "schulman2016gae", "ch07",
            wrong_equal_weights, fixed_gamma_weights, ref_gae_lambda_one, _episode),
    Erratum("value-target-choice", "folklore",
            "reward-to-go vs Â + V as the critic's target", "achiam2018spinningup", "ch08",
            wrong_reward_to_go_target, fixed_gae_target, ref_gae_returns, _multi,
            is_slip=False),
)
