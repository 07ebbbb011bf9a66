"""Self-check for chapter 2 (:ref:`ch02`): the batch score-function gradient estimate."""

from __future__ import annotations

import numpy as np

from ..gaussian import gaussian_sample, pg_estimate
from ..rewards import peak_reward
from ._runner import Case, run_check

__all__ = ["check_pg_estimate"]


def _reference(x, rewards, mu, log_sigma):
    return pg_estimate(x, rewards, mu, log_sigma)[0]


def _cases(seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    cases = [
        Case("two samples, rewards 1 and 0", (np.array([0.5, -0.5]), np.array([1.0, 0.0]), 0.0, 0.0)),
        Case(
            "constant reward 2 (all samples on the plateau): zero only on average",
            (np.array([0.8, 1.1, 1.3, 0.9]), np.array([2.0, 2.0, 2.0, 2.0]), 1.0, float(np.log(0.2))),
        ),
        Case("all rewards zero: the estimate is exactly zero", (np.array([-3.0, -2.5, -3.4]), np.zeros(3), -3.0, float(np.log(0.3)))),
    ]
    for i, (mu, log_sigma) in enumerate([(0.0, 1.0), (2.5, 0.0), (4.0, np.log(0.1)), (6.0, -0.5)]):
        x = gaussian_sample(mu, log_sigma, int(rng.integers(5, 40)), rng)
        cases.append(Case(f"peak reward, mu = {mu}, log_sigma = {log_sigma:.3g}", (x, peak_reward(x), mu, float(log_sigma))))
    return cases


def check_pg_estimate(candidate, *, seed: int = 0, quiet: bool = False):
    """Check ``candidate(x, rewards, mu, log_sigma) -> grad`` with ``grad`` of shape ``[2]``.

    ``grad`` is the batch average of ``rewards[i] * score(x[i])`` with the
    score taken with respect to :math:`(\\mu, \\log\\sigma)`, in that order.
    """
    return run_check(
        "score-function gradient estimate",
        candidate,
        _reference,
        _cases(seed),
        rtol=1e-7,
        atol=1e-9,
        quiet=quiet,
    )
