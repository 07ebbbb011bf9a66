"""Self-check for chapter 7 (:ref:`ch07`): the GAE backward pass.

The reader writes ``my_gae`` with exactly the signature of :func:`gaebook.gae`::

    my_gae(rewards, values, next_values, terminated, truncated, *, gamma, lam)

and may return either the advantages alone (an array of the inputs' shape) or
the pair ``(advantages, returns)`` like :func:`gaebook.gae`. In the second case
both arrays are checked, with ``returns = advantages + values``.
"""

from __future__ import annotations

import numpy as np

from ..gae import gae
from ._runner import Case, _close, run_check

__all__ = ["check_gae"]

RTOL = 1e-6
ATOL = 1e-8


def _rollout(rng, T, N, *, p_term=0.15, p_trunc=0.15, gamma=None, lam=None, flags=None):
    """Random rollout in the book's transition convention; NaN after terminated steps."""
    shape = (T,) if N is None else (T, N)
    rewards = rng.normal(size=shape)
    values = rng.normal(size=shape)
    next_values = rng.normal(size=shape)
    if flags is None:
        terminated = rng.random(shape) < p_term
        truncated = rng.random(shape) < p_trunc
    else:
        terminated, truncated = (np.asarray(f, dtype=bool).reshape(shape) for f in flags)
    # inside an episode the next state's value is the next step's value
    inside = ~(terminated | truncated)
    next_values[:-1] = np.where(inside[:-1], values[1:], next_values[:-1])
    next_values = np.where(terminated, np.nan, next_values)
    gamma = float(rng.uniform(0.5, 1.0)) if gamma is None else gamma
    lam = float(rng.uniform(0.0, 1.0)) if lam is None else lam
    return (rewards, values, next_values, terminated, truncated), {"gamma": gamma, "lam": lam}


def _describe(args, kwargs):
    _, _, _, term, trunc = args
    where = lambda m: np.flatnonzero(m.any(axis=1) if m.ndim == 2 else m).tolist()  # noqa: E731
    shape = "[T]" if term.ndim == 1 else f"[T, N] with N={term.shape[1]}"
    return (
        f"T={term.shape[0]}, shape {shape}, terminated at steps {where(term)}, "
        f"truncated at steps {where(trunc)}, gamma={kwargs['gamma']:.3g}, lam={kwargs['lam']:.3g}"
    )


def rollout_cases(seed: int = 7, n_random: int = 24) -> list[Case]:
    """The chapter's edge cases plus ``n_random`` random multi-episode rollouts.

    Every case holds ``(rewards, values, next_values, terminated, truncated)``
    and the keyword arguments ``gamma`` and ``lam``. ``next_values`` is NaN
    wherever ``terminated`` is true (those entries must be ignored).
    """
    rng = np.random.default_rng(seed)
    cases = []

    def add(label, args, kwargs):
        cases.append(Case(f"{label}: {_describe(args, kwargs)}", args, kwargs))

    add("one step (T=1)", *_rollout(rng, 1, None, flags=([False], [False])))
    add("one step that terminates", *_rollout(rng, 1, None, flags=([True], [False])))
    add("one episode, no boundary", *_rollout(rng, 6, None, p_term=0, p_trunc=0))
    z = np.zeros(7, dtype=bool)
    t_mid = z.copy(); t_mid[3] = True  # noqa: E702
    add("truncation in the middle", *_rollout(rng, 7, None, flags=(z, t_mid)))
    add("termination in the middle (NaN next value)", *_rollout(rng, 7, None, flags=(t_mid, z)))
    add("both flags at once", *_rollout(rng, 7, None, flags=(t_mid, t_mid)))
    add("lam = 0 (TD errors)", *_rollout(rng, 8, None, lam=0.0))
    add("lam = 1 (Monte Carlo)", *_rollout(rng, 8, None, lam=1.0))
    add("gamma = 0", *_rollout(rng, 5, None, gamma=0.0))
    add("several environments [T, N]", *_rollout(rng, 9, 3))
    add("T=1 with several environments", *_rollout(rng, 1, 4))
    for i in range(n_random):
        T = int(rng.integers(2, 16))
        N = None if i % 2 == 0 else int(rng.integers(2, 5))
        add(f"random rollout {i + 1}", *_rollout(rng, T, N))
    return cases


def _compare(expected, got) -> bool:
    advantages, returns = expected
    if isinstance(got, (tuple, list)):
        return len(got) == 2 and _close(advantages, got[0], RTOL, ATOL) and _close(returns, got[1], RTOL, ATOL)
    return _close(advantages, np.asarray(got) if got is not None else got, RTOL, ATOL)


def check_gae(my_gae, *, seed: int = 7, quiet: bool = False):
    """Check a reader's GAE against :func:`gaebook.gae` (chapter 7, exercise).

    ``my_gae`` has the signature of :func:`gaebook.gae` and returns either the
    advantages, or ``(advantages, returns)``. The cases include ``T = 1``,
    ``[T, N]`` arrays, truncation and termination inside the rollout, a step
    with both flags, NaN ``next_values`` after terminated steps, ``lam`` 0 and
    1, ``gamma = 0``, and random multi-episode rollouts. Tolerance: relative
    1e-6, absolute 1e-8 (machine precision with room for summation order).

    Returns:
        A :class:`~gaebook.checks.CheckResult`, truthy when every case passed.
    """
    return run_check("gae", my_gae, gae, rollout_cases(seed), compare=_compare, quiet=quiet)
