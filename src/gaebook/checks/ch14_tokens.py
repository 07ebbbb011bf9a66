"""Self-check for chapter 14 (:ref:`ch14`): token-level GAE with a response mask.

The reader writes ``my_token_gae`` with the signature of
:func:`gaebook.tokens.token_gae`::

    my_token_gae(rewards, values, response_mask, *, gamma, lam)

on right-padded ``[B, L]`` arrays, and returns either the advantages or the
pair ``(advantages, returns)``. Real tokens must match the library; pads must
be 0, and the rewards and values stored on pads (NaN, inf or junk numbers)
must not change anything.
"""

from __future__ import annotations

import numpy as np

from ..tokens import token_gae
from ._runner import Case, _close, run_check

__all__ = ["check_token_gae"]

RTOL = 1e-6
ATOL = 1e-8


def _batch(rng, lengths, L, *, fill=np.nan, gamma=1.0, lam=None):
    lengths = np.asarray(lengths)
    B = len(lengths)
    mask = np.arange(L)[None, :] < lengths[:, None]
    rewards = rng.normal(size=(B, L)) * 0.1
    rewards[np.arange(B), lengths - 1] += rng.normal(size=B)  # a score on the last token
    values = rng.normal(size=(B, L))
    rewards[~mask] = fill
    values[~mask] = fill
    lam = float(rng.uniform(0.0, 1.0)) if lam is None else lam
    return (rewards, values, mask), {"gamma": gamma, "lam": lam}


def token_cases(seed: int = 14, n_random: int = 20) -> list[Case]:
    """Edge cases of padded batches plus ``n_random`` random ones."""
    rng = np.random.default_rng(seed)
    cases = []

    def add(label, args, kwargs):
        mask = args[2]
        lengths = mask.sum(axis=1).tolist()
        desc = (f"{label}: B={mask.shape[0]}, L={mask.shape[1]}, lengths {lengths}, "
                f"gamma={kwargs['gamma']:.3g}, lam={kwargs['lam']:.3g}")
        cases.append(Case(desc, args, kwargs))

    add("one row, no padding", *_batch(rng, [5], 5))
    add("one token (L=1)", *_batch(rng, [1], 1))
    add("a row of length 1 among padded rows (NaN on pads)", *_batch(rng, [4, 1, 3], 4))
    add("pads hold large numbers, not NaN", *_batch(rng, [2, 5, 3], 6, fill=1e3))
    add("pads hold +inf", *_batch(rng, [3, 1], 5, fill=np.inf))
    add("lam = 1 (return to go minus value)", *_batch(rng, [4, 2], 5, lam=1.0))
    add("lam = 0 (one TD error)", *_batch(rng, [4, 2], 5, lam=0.0))
    add("gamma < 1", *_batch(rng, [3, 6, 2], 6, gamma=0.9))
    for i in range(n_random):
        B, L = int(rng.integers(1, 6)), int(rng.integers(1, 9))
        fill = [np.nan, 5.0, np.inf][i % 3]
        add(f"random batch {i + 1}", *_batch(rng, rng.integers(1, L + 1, size=B), L, fill=fill,
                                             gamma=float(rng.choice([1.0, 0.95]))))
    return cases


def _compare(expected, got) -> bool:
    advantages, returns = expected
    if isinstance(got, (tuple, list)):
        return (len(got) == 2 and _close(advantages, np.asarray(got[0]), RTOL, ATOL)
                and _close(returns, np.asarray(got[1]), RTOL, ATOL))
    return got is not None and _close(advantages, np.asarray(got), RTOL, ATOL)


def check_token_gae(my_token_gae, *, seed: int = 14, quiet: bool = False):
    """Check a reader's masked token-level GAE against :func:`gaebook.tokens.token_gae`.

    Cases: a row without padding, ``L = 1``, a row of one token, pads holding
    NaN, inf or large numbers, ``lam`` 0 and 1, ``gamma < 1`` and random
    padded batches. Pads must come out 0. Tolerance: relative 1e-6, absolute
    1e-8 (machine precision with room for summation order).

    Returns:
        A :class:`~gaebook.checks.CheckResult`, truthy when every case passed.
    """
    return run_check("token_gae", my_token_gae, token_gae, token_cases(seed),
                     compare=_compare, quiet=quiet)
