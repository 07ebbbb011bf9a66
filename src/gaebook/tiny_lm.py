"""A language model small enough to enumerate every response (chapter 14, :ref:`ch14`).

The model has ``V`` tokens, the last of which is the end token, and writes
at most ``max_len`` tokens; a response ends at its end token, or when it
reaches ``max_len`` tokens (it is then scored as it stands: in both cases
nothing follows, so the last token is a termination). The policy is a
softmax table over the context (prompt, position, previous token), with the
prompt itself as the "previous token" at position 0:

.. math::

    \\pi_\\theta(a \\mid p, t, c) = \\mathrm{softmax}(\\theta[p, t, c, :])_a ,
    \\qquad \\theta \\in \\mathbb R^{P \\times L \\times V \\times V}.

With ``V = 3`` and ``max_len = 4`` a prompt has 31 possible responses, so
expectations over responses are finite sums: the exact objective, its
gradient, exact values for a critic, and the exact mean and covariance of
the per-batch gradient estimators of REINFORCE, token-level GAE and the
group methods (GRPO, Dr. GRPO, RLOO). :func:`train` runs PPO+GAE and the
group methods on sampled responses with the same budget.

Arrays of responses are batch-major ``[B, L]`` with a right-padded boolean
mask, as in :mod:`gaebook.tokens`; pad tokens are stored as ``-1``.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np

from .tokens import group_advantages, masked_whiten, token_gae, token_rewards

__all__ = [
    "TinyLM",
    "enumerate_responses",
    "target_match_score",
    "log_softmax_table",
    "token_logp",
    "token_scores",
    "sample_responses",
    "exact_objective",
    "exact_values",
    "per_response_gradients",
    "gae_gradients",
    "estimator_moments",
    "group_estimator_moments",
    "TrainResult",
    "policy_step",
    "train",
]


@dataclass(frozen=True)
class TinyLM:
    """Sizes of the tiny model: ``vocab`` tokens (the last is the end token),
    ``max_len`` tokens at most, ``n_prompts`` prompts, and one target
    response per prompt for :func:`target_match_score` (each ending with the
    end token)."""

    vocab: int = 3
    max_len: int = 4
    targets: tuple = ((0, 1, 2), (1, 1, 0, 2))
    names: tuple = ("a", "b", "<e>")

    def __post_init__(self):
        if self.vocab < 2 or self.max_len < 1:
            raise ValueError("vocab must be >= 2 and max_len >= 1")
        for tgt in self.targets:
            if not 1 <= len(tgt) <= self.max_len or any(not 0 <= a < self.vocab for a in tgt):
                raise ValueError(f"targets must be token lists of length 1..max_len, got {tgt!r}")

    @property
    def eos(self) -> int:
        return self.vocab - 1

    @property
    def n_prompts(self) -> int:
        return len(self.targets)

    @property
    def theta_shape(self) -> tuple:
        """``(P, L, V, V)``: prompt, position, previous token (the prompt at 0), next token."""
        return (self.n_prompts, self.max_len, self.vocab, self.vocab)

    def text(self, tokens) -> str:
        """A response as text, e.g. ``"a b <e>"``."""
        return " ".join(self.names[a] for a in tokens if a >= 0)


def enumerate_responses(lm: TinyLM):
    """Every possible response: ``(tokens [N, L] ints with -1 on pads, mask [N, L])``.

    Ordered by length, then lexicographically. For ``V = 3, L = 4``, ``N = 31``.
    """
    body = range(lm.vocab - 1)
    rows = []
    for n in range(1, lm.max_len + 1):
        for prefix in itertools.product(body, repeat=n - 1):
            rows.append(list(prefix) + [lm.eos])
    for full in itertools.product(body, repeat=lm.max_len):
        rows.append(list(full))
    tokens = np.full((len(rows), lm.max_len), -1, dtype=np.int64)
    for i, row in enumerate(rows):
        tokens[i, : len(row)] = row
    return tokens, tokens >= 0


def target_match_score(lm: TinyLM, prompts, tokens, mask) -> np.ndarray:
    """Score in [0, 1]: matching positions over ``max(len(response), len(target))``.

    The end token counts as a position, so the exact target scores 1.
    """
    prompts = np.asarray(prompts)
    out = np.empty(len(prompts))
    for i, (p, row, m) in enumerate(zip(prompts, tokens, mask)):
        tgt = lm.targets[int(p)]
        resp = row[m]
        n = min(len(resp), len(tgt))
        out[i] = np.sum(resp[:n] == np.asarray(tgt[:n])) / max(len(resp), len(tgt))
    return out


def log_softmax_table(theta) -> np.ndarray:
    """``log softmax`` over the last axis of a ``[P, L, V, V]`` table."""
    z = theta - theta.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def _contexts(lm: TinyLM, tokens, mask):
    """Previous-token slot of every position: 0 at t = 0 (the prompt), token + 1 after.

    The end token never precedes a real token, so the slots 0 .. V - 1 suffice.
    """
    prev = np.zeros_like(tokens)
    prev[:, 1:] = np.where(mask[:, :-1], tokens[:, :-1] + 1, 0)
    return np.where(mask, prev, 0)


def token_logp(lm: TinyLM, theta, prompts, tokens, mask) -> np.ndarray:
    """``[B, L]`` log-probabilities of the tokens; 0 on pads."""
    logp_table = log_softmax_table(theta)
    prev = _contexts(lm, tokens, mask)
    pos = np.broadcast_to(np.arange(lm.max_len), tokens.shape)
    prm = np.broadcast_to(np.asarray(prompts)[:, None], tokens.shape)
    lp = logp_table[prm, pos, prev, np.where(mask, tokens, 0)]
    return np.where(mask, lp, 0.0)


def token_scores(lm: TinyLM, theta, prompts, tokens, mask) -> np.ndarray:
    """``[B, L, D]`` gradients of ``log pi(a_t)`` with respect to the flattened table.

    For a softmax table the score of token ``a`` in context ``c`` is
    ``onehot(a) - pi(. | c)`` in the row of ``c`` and zero elsewhere; pads get 0.
    """
    probs = np.exp(log_softmax_table(theta))
    prev = _contexts(lm, tokens, mask)
    B, L = tokens.shape
    V = lm.vocab
    pos = np.broadcast_to(np.arange(L), tokens.shape)
    prm = np.broadcast_to(np.asarray(prompts)[:, None], tokens.shape)
    rows = np.ravel_multi_index((prm, pos, prev), theta.shape[:3])  # [B, L]
    local = -probs[prm, pos, prev]  # [B, L, V]
    local[np.arange(B)[:, None], np.arange(L)[None, :], np.where(mask, tokens, 0)] += 1.0
    out = np.zeros((B, L, theta.size))
    cols = rows[..., None] * V + np.arange(V)
    np.put_along_axis(out, cols, local, axis=2)
    return np.where(mask[..., None], out, 0.0)


def sample_responses(lm: TinyLM, theta, prompts, rng):
    """Sample one response per entry of ``prompts``: ``(tokens, mask)`` as in :func:`enumerate_responses`."""
    prompts = np.asarray(prompts)
    B = len(prompts)
    probs = np.exp(log_softmax_table(theta))
    tokens = np.full((B, lm.max_len), -1, dtype=np.int64)
    alive = np.ones(B, dtype=bool)
    prev = np.zeros(B, dtype=np.int64)
    for t in range(lm.max_len):
        p = probs[prompts, t, prev]  # [B, V]
        u = rng.random(B)
        a = np.minimum((u[:, None] > np.cumsum(p, axis=1)).sum(axis=1), lm.vocab - 1)
        tokens[:, t] = np.where(alive, a, -1)
        alive = alive & (a != lm.eos)
        prev = np.where(alive, a + 1, 0)  # dead rows keep sampling, unused
    return tokens, tokens >= 0


def _all_pairs(lm: TinyLM):
    """Every (prompt, response) pair: ``prompts [P*N], tokens, mask``."""
    tokens, mask = enumerate_responses(lm)
    N = len(tokens)
    prompts = np.repeat(np.arange(lm.n_prompts), N)
    return prompts, np.tile(tokens, (lm.n_prompts, 1)), np.tile(mask, (lm.n_prompts, 1))


def exact_objective(lm: TinyLM, theta, score_fn=target_match_score, theta_ref=None):
    r"""Exact :math:`J = \frac1P\sum_p \mathbb E_{y\sim\pi(\cdot|p)}[\mathrm{score}(p, y)]`,
    its gradient ``[D]``, and (if ``theta_ref`` is given) the exact
    :math:`\frac1P\sum_p \mathrm{KL}(\pi(\cdot|p)\,\|\,\pi_{\mathrm{ref}}(\cdot|p))` over whole responses.

    Returns ``(J, grad, kl)`` (``kl`` is ``None`` without ``theta_ref``).
    """
    prompts, tokens, mask = _all_pairs(lm)
    lp = token_logp(lm, theta, prompts, tokens, mask).sum(axis=1)
    prob = np.exp(lp)
    score = score_fn(lm, prompts, tokens, mask)
    seq_scores = token_scores(lm, theta, prompts, tokens, mask).sum(axis=1)
    P = lm.n_prompts
    J = float(prob @ score) / P
    grad = (prob * score) @ seq_scores / P
    kl = None
    if theta_ref is not None:
        lp_ref = token_logp(lm, theta_ref, prompts, tokens, mask).sum(axis=1)
        kl = float(prob @ (lp - lp_ref)) / P
    return J, grad, kl


def exact_values(lm: TinyLM, theta, prompts, tokens, mask, rewards) -> np.ndarray:
    r"""Exact :math:`V^\pi(s_t) = \mathbb E[\sum_{u \ge t} r_u \mid p, y_{<t}]` (:math:`\gamma = 1`)
    at every real position of the given rows; ``rewards`` is a function
    ``(prompts, tokens, mask) -> [B, L]`` per-token rewards of any response.

    Computed by enumeration over all continuations of each prefix. ``[B, L]``, 0 on pads.
    """
    a_prompts, a_tokens, a_mask = _all_pairs(lm)
    prob = np.exp(token_logp(lm, theta, a_prompts, a_tokens, a_mask).sum(axis=1))
    r_all = rewards(a_prompts, a_tokens, a_mask)
    to_go = np.cumsum(r_all[:, ::-1], axis=1)[:, ::-1]  # sum of rewards from t on
    out = np.zeros(tokens.shape)
    for b in range(len(tokens)):
        for t in range(int(mask[b].sum())):
            same = (a_prompts == prompts[b]) & np.all(a_tokens[:, :t] == tokens[b, :t], axis=1)
            same &= a_mask[:, t]  # every continuation has a token at t
            w = prob[same]
            out[b, t] = w @ to_go[same, t] / w.sum()
    return out


def per_response_gradients(lm: TinyLM, theta, score_fn=target_match_score):
    """Everything the exact moments need, for every (prompt, response) pair.

    Returns a dict with ``prompts, tokens, mask`` (all pairs), ``prob`` (π(y|p)),
    ``score``, ``seq_score`` ``[P*N, D]`` (∇ log π(y|p)) and ``tok_score`` ``[P*N, L, D]``.
    """
    prompts, tokens, mask = _all_pairs(lm)
    prob = np.exp(token_logp(lm, theta, prompts, tokens, mask).sum(axis=1))
    tok = token_scores(lm, theta, prompts, tokens, mask)
    return dict(prompts=prompts, tokens=tokens, mask=mask, prob=prob,
                score=score_fn(lm, prompts, tokens, mask), tok_score=tok, seq_score=tok.sum(axis=1))


def gae_gradients(data, values, *, lam) -> np.ndarray:
    r"""Per-response gradient :math:`\sum_t \hat A_t \nabla\log\pi(a_t)` with token-level GAE
    (:math:`\gamma = 1`, the score on the last token), ``[P*N, D]``; ``values`` ``[P*N, L]``."""
    r = token_rewards(data["score"], np.zeros(data["mask"].shape), np.zeros(data["mask"].shape),
                      data["mask"], kl_coef=0.0)
    adv, _ = token_gae(r, values, data["mask"], gamma=1.0, lam=lam)
    return np.einsum("bl,bld->bd", adv, data["tok_score"])


def estimator_moments(data, per_response, *, group_size):
    r"""Exact mean ``[D]`` and covariance ``[D, D]`` of the per-batch estimator
    :math:`\hat g = \frac1P\sum_p \frac1G\sum_{i=1}^G g(p, y_i)` with ``G`` independent
    responses per prompt and a per-response gradient ``g`` (``per_response``, ``[P*N, D]``)."""
    P = int(data["prompts"].max()) + 1
    mean = np.zeros(per_response.shape[1])
    cov = np.zeros((per_response.shape[1],) * 2)
    for p in range(P):
        sel = data["prompts"] == p
        w, g = data["prob"][sel], per_response[sel]
        m = w @ g
        mean += m / P
        cov += ((g * w[:, None]).T @ g - np.outer(m, m)) / (group_size * P**2)
    return mean, cov


def _multisets(values, probs, n):
    """All multisets of ``n`` draws from a finite distribution: ``(draws [M, n], prob [M])``."""
    if n == 0:
        return np.zeros((1, 0)), np.ones(1)
    idx = np.array(list(itertools.combinations_with_replacement(range(len(values)), n)))
    counts = np.stack([np.sum(idx == k, axis=1) for k in range(len(values))], axis=1)
    coef = math.factorial(n) / np.prod([[math.factorial(int(c)) for c in row] for row in counts], axis=1)
    prob = coef * np.prod(probs[None, :] ** counts, axis=1)
    return values[idx], prob


def group_estimator_moments(data, *, group_size, method, eps=1e-4):
    r"""Exact mean and covariance of a group estimator
    :math:`\hat g = \frac1P\sum_p \frac1G\sum_{i=1}^G A_i\,\nabla\log\pi(y_i|p)`,
    with :math:`A_i` from :func:`gaebook.tokens.group_advantages` (``method``
    ``"grpo"``, ``"dr_grpo"``, ``"rloo"``) or ``method="reinforce"`` (:math:`A_i = r_i`).

    The advantages depend on the responses only through their scores, which
    take finitely many values, so every expectation is a finite sum over
    multisets of the other responses' scores: exact for any ``G``.
    """
    G = group_size
    P = int(data["prompts"].max()) + 1
    D = data["seq_score"].shape[1]
    mean, cov = np.zeros(D), np.zeros((D, D))

    def adv(groups):
        if method == "reinforce":
            return groups
        flat = group_advantages(groups.reshape(-1), group_size=G, method=method, eps=eps)
        return flat.reshape(groups.shape)

    for p in range(P):
        sel = data["prompts"] == p
        w, s, r = data["prob"][sel], data["seq_score"][sel], data["score"][sel]
        vals, inv = np.unique(r, return_inverse=True)
        q = np.bincount(inv, weights=w, minlength=len(vals))
        # E[A_1 | r_1] and E[A_1^2 | r_1]: the other G - 1 scores are i.i.d. from q
        others, po = _multisets(vals, q, G - 1)
        grp = np.concatenate([np.repeat(vals, len(others))[:, None],
                              np.tile(others, (len(vals), 1))], axis=1)
        a = adv(grp)[:, 0].reshape(len(vals), len(others))
        e1, e2 = a @ po, (a**2) @ po
        # E[A_1 A_2 | r_1, r_2]: the other G - 2 scores are i.i.d. from q
        rest, pr = _multisets(vals, q, G - 2)
        K = len(vals)
        pair = np.array(list(itertools.product(range(K), range(K))))
        grp2 = np.concatenate([np.repeat(vals[pair], len(rest), axis=0),
                               np.tile(rest, (K * K, 1))], axis=1)
        a2 = adv(grp2)
        e11 = ((a2[:, 0] * a2[:, 1]).reshape(K * K, len(rest)) @ pr).reshape(K, K)
        m = (w * e1[inv]) @ s
        second = ((s * (w * e2[inv])[:, None]).T @ s) / G
        ws = s * w[:, None]
        second += (G - 1) / G * (ws.T @ e11[np.ix_(inv, inv)] @ ws)
        mean += m / P
        cov += (second - np.outer(m, m)) / P**2  # second already holds the 1/G
    return mean, cov


@dataclass
class TrainResult:
    """Learning curve of one run: per update, responses used so far, the exact
    expected score and the exact KL to the reference (whole responses)."""

    responses: np.ndarray
    score: np.ndarray
    kl: np.ndarray
    theta: np.ndarray = field(repr=False)


def policy_step(lm: TinyLM, theta, opt, batch, advantages, *, clip):
    r"""One Adam step on PPO's clipped surrogate, one term per real token.

    ``batch = (prompts, tokens, mask, logp_old)`` with ``logp_old`` ``[B, L]``
    the log-probabilities under the policy that sampled the batch, and
    ``advantages`` ``[B, L]`` (0 on pads). The chain rule through the softmax
    table: :math:`\partial\mathcal L/\partial\theta = \sum_{\text{tokens}}
    \partial\mathcal L/\partial\log\pi \cdot \nabla_\theta\log\pi`.
    Returns the new table; ``opt`` (an :class:`gaebook.optim.Adam`) keeps its state.
    """
    from .ppo import clipped_surrogate

    prompts, tokens, mask, logp_old = batch
    logp = token_logp(lm, theta, prompts, tokens, mask)
    _, dloss = clipped_surrogate(logp[mask], logp_old[mask], advantages[mask],
                                 clip=clip)
    dloss_dlogp = np.zeros(mask.shape)
    dloss_dlogp[mask] = dloss  # pads contribute nothing
    scores = token_scores(lm, theta, prompts, tokens, mask)  # [B, L, D]
    grad = np.einsum("bl,bld->d", dloss_dlogp, scores)
    return opt.descend(theta.ravel(), grad).reshape(theta.shape)


def train(lm: TinyLM, method: str, *, seed: int, n_updates=60, group_size=8, lam=0.95,
          kl_coef=0.05, lr=0.1, critic_lr=0.5, epochs=4, clip=0.2,
          score_fn=target_match_score):
    """Train the tiny model from the reference policy (uniform, θ = 0).

    Every update samples ``group_size`` responses for each prompt (the same
    budget for every method) and takes ``epochs`` Adam steps on PPO's clipped
    surrogate (:func:`gaebook.ppo.clipped_surrogate`, one term per real token).
    ``method="ppo_gae"`` uses token rewards (KL penalty + score), a tabular
    critic over the contexts (prompt, position, previous token) and
    whitened token-level GAE with ``lam``; ``"grpo"``, ``"dr_grpo"`` and
    ``"rloo"`` give every token of a response the group advantage of its
    sequence reward ``score - kl_coef * sum_t (log pi - log pi_ref)``.
    """
    from .optim import Adam

    rng = np.random.default_rng(seed)
    theta_ref = np.zeros(lm.theta_shape)
    theta = theta_ref.copy()
    critic = np.zeros(lm.theta_shape[:3])
    opt = Adam(lr=lr)
    prompts = np.repeat(np.arange(lm.n_prompts), group_size)
    steps, scores, kls = [], [], []

    def record(n):
        J, _, kl = exact_objective(lm, theta, score_fn, theta_ref)
        steps.append(n), scores.append(J), kls.append(kl)

    record(0)
    for update in range(n_updates):
        tokens, mask = sample_responses(lm, theta, prompts, rng)
        lp_old = token_logp(lm, theta, prompts, tokens, mask)
        lp_ref = token_logp(lm, theta_ref, prompts, tokens, mask)
        score = score_fn(lm, prompts, tokens, mask)
        if method == "ppo_gae":
            rewards = token_rewards(score, lp_old, lp_ref, mask, kl_coef=kl_coef)
            ctx = (prompts[:, None], np.arange(lm.max_len)[None, :], _contexts(lm, tokens, mask))
            values = np.where(mask, critic[ctx], 0.0)
            adv, ret = token_gae(rewards, values, mask, gamma=1.0, lam=lam)
            adv = masked_whiten(adv, mask)
            for _ in range(epochs):  # critic: gradient steps on the mean squared error
                err = np.where(mask, critic[ctx] - ret, 0.0)
                g = np.zeros_like(critic)
                np.add.at(g, tuple(np.broadcast_to(c, mask.shape)[mask] for c in ctx), err[mask])
                cnt = np.zeros_like(critic)
                np.add.at(cnt, tuple(np.broadcast_to(c, mask.shape)[mask] for c in ctx), 1.0)
                critic -= critic_lr * g / np.maximum(cnt, 1.0)
        else:
            seq_reward = score - kl_coef * np.where(mask, lp_old - lp_ref, 0.0).sum(axis=1)
            a = group_advantages(seq_reward, group_size=group_size, method=method)
            adv = np.where(mask, a[:, None], 0.0)
        for _ in range(epochs):
            theta = policy_step(lm, theta, opt, (prompts, tokens, mask, lp_old), adv, clip=clip)
        record((update + 1) * len(prompts))
    return TrainResult(np.array(steps), np.array(scores), np.array(kls), theta)
