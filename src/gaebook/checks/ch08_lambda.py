"""Self-check for chapter 8 (:ref:`ch08`): the λ-return by its backward recursion.

The reader writes ``my_lambda_returns`` with exactly the signature of
:func:`gaebook.lambda_returns`::

    my_lambda_returns(rewards, next_values, terminated, truncated, *, gamma, lam)

and returns the λ-returns, an array of the inputs' shape.
"""

from __future__ import annotations

from ..returns import lambda_returns
from ._runner import Case, run_check
from .ch07_gae import rollout_cases

__all__ = ["check_lambda_returns"]


def _cases(seed: int) -> list[Case]:
    out = []
    for case in rollout_cases(seed):
        rewards, _values, next_values, terminated, truncated = case.args
        out.append(Case(case.description, (rewards, next_values, terminated, truncated), dict(case.kwargs)))
    return out


def check_lambda_returns(my_lambda_returns, *, seed: int = 8, quiet: bool = False):
    """Check a reader's λ-returns against :func:`gaebook.lambda_returns` (chapter 8).

    The cases are those of :func:`gaebook.checks.check_gae` without ``values``:
    ``T = 1``, ``[T, N]``, truncation and termination inside the rollout, both
    flags at once, NaN ``next_values`` after terminated steps, ``lam`` 0 and 1,
    ``gamma = 0``, and random multi-episode rollouts. Tolerance: relative 1e-6,
    absolute 1e-8.

    Returns:
        A :class:`~gaebook.checks.CheckResult`, truthy when every case passed.
    """
    return run_check("lambda_returns", my_lambda_returns, lambda_returns, _cases(seed), quiet=quiet)
