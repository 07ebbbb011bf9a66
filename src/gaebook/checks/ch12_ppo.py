"""Self-check for chapter 12 (:ref:`ch12`): the gradient of PPO's clipped surrogate.

The reader writes ``my_surrogate_grad`` with the signature::

    my_surrogate_grad(logp, logp_old, advantages, *, clip) -> dloss_dlogp

returning the gradient ``[B]`` of the loss
``-mean(min(rho * A, clip(rho, 1 - clip, 1 + clip) * A))``,
``rho = exp(logp - logp_old)``, with respect to ``logp``. Returning the pair
``(loss, dloss_dlogp)`` like :func:`gaebook.ppo.clipped_surrogate` is
accepted too; then the loss is checked as well.
"""

from __future__ import annotations

import numpy as np

from ..ppo import clipped_surrogate
from ._runner import Case, _close, run_check

__all__ = ["check_surrogate_grad"]

RTOL = 1e-9
ATOL = 1e-12  # the same float64 operations up to order: a few ulps of O(1) numbers


def _case(rng, B, *, clip=None, log_rho=None, adv=None):
    logp_old = np.log(rng.dirichlet(np.ones(3), size=B)[:, 0])
    if log_rho is None:
        log_rho = rng.normal(scale=0.4, size=B)
    if adv is None:
        adv = rng.normal(size=B)
    clip = float(rng.uniform(0.05, 0.4)) if clip is None else clip
    # keep every ratio at least 1e-3 away from the kinks 1 +- clip, where the
    # derivative is one-sided and conventions may differ
    rho = np.exp(log_rho)
    for edge in (1 + clip, 1 - clip):
        near = np.abs(rho - edge) < 1e-3
        rho = np.where(near, edge + np.where(rho >= edge, 2e-3, -2e-3), rho)
    return (np.log(rho) + logp_old, logp_old, np.asarray(adv, dtype=float)), {"clip": clip}


def _describe(args, kwargs):
    logp, logp_old, adv = args
    rho = np.exp(logp - logp_old)
    eps = kwargs["clip"]
    bites = ((adv > 0) & (rho > 1 + eps)) | ((adv < 0) & (rho < 1 - eps))
    return f"B={adv.size}, clip={eps:.3g}, clip bites at {np.flatnonzero(bites).tolist()}"


def surrogate_cases(seed: int = 12, n_random: int = 20) -> list[Case]:
    """Edge cases of the clipped surrogate plus ``n_random`` random minibatches."""
    rng = np.random.default_rng(seed)
    cases = []

    def add(label, args, kwargs):
        cases.append(Case(f"{label}: {_describe(args, kwargs)}", args, kwargs))

    add("one sample (B=1), ratio 1", *_case(rng, 1, log_rho=np.zeros(1)))
    add("first minibatch: every ratio is 1", *_case(rng, 6, log_rho=np.zeros(6)))
    add("A > 0, ratio above 1 + clip (clip bites)",
        *_case(rng, 3, clip=0.2, log_rho=np.log([1.5, 1.3, 2.0]), adv=[1.0, 0.5, 2.0]))
    add("A < 0, ratio below 1 - clip (clip bites)",
        *_case(rng, 3, clip=0.2, log_rho=np.log([0.5, 0.7, 0.3]), adv=[-1.0, -0.5, -2.0]))
    add("A > 0, ratio below 1 - clip (no clip: the gradient pushes back)",
        *_case(rng, 3, clip=0.2, log_rho=np.log([0.5, 0.7, 0.3]), adv=[1.0, 0.5, 2.0]))
    add("A < 0, ratio above 1 + clip (no clip: the gradient pushes back)",
        *_case(rng, 3, clip=0.2, log_rho=np.log([1.5, 1.3, 2.0]), adv=[-1.0, -0.5, -2.0]))
    add("zero advantages", *_case(rng, 4, adv=np.zeros(4)))
    add("all six cases in one minibatch",
        *_case(rng, 6, clip=0.2, log_rho=np.log([1.5, 1.0, 0.5, 1.5, 1.0, 0.5]),
               adv=[1.0, 1.0, 1.0, -1.0, -1.0, -1.0]))
    add("large minibatch, far-off ratios", *_case(rng, 64, log_rho=rng.normal(scale=1.5, size=64)))
    for i in range(n_random):
        add(f"random minibatch {i + 1}", *_case(rng, int(rng.integers(2, 12))))
    return cases


def _compare(expected, got) -> bool:
    loss, grad = expected
    if isinstance(got, (tuple, list)):
        return len(got) == 2 and _close(float(loss), got[0], RTOL, ATOL) and _close(grad, got[1], RTOL, ATOL)
    return _close(grad, np.asarray(got) if got is not None else got, RTOL, ATOL)


def check_surrogate_grad(my_surrogate_grad, *, seed: int = 12, quiet: bool = False):
    """Check a reader's gradient of the clipped surrogate against :func:`gaebook.ppo.clipped_surrogate`.

    ``my_surrogate_grad(logp, logp_old, advantages, *, clip)`` returns
    ``dloss_dlogp`` (or ``(loss, dloss_dlogp)``). The cases include ``B = 1``,
    ratios exactly 1, each of the six sign/ratio cases, zero advantages and
    far-off ratios; no ratio lies within 1e-3 of a kink ``1 +- clip``.
    Tolerance: relative 1e-9, absolute 1e-12 (the same float64 formula).

    Returns:
        A :class:`~gaebook.checks.CheckResult`, truthy when every case passed.
    """
    return run_check("surrogate gradient", my_surrogate_grad, clipped_surrogate,
                     surrogate_cases(seed), compare=_compare, quiet=quiet)
