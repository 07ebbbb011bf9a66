"""Self-check for chapter 1 (:ref:`ch01`): the score of a Gaussian."""

from __future__ import annotations

import numpy as np

from ..gaussian import gaussian_score
from ._runner import Case, run_check

__all__ = ["check_gaussian_score"]


def _cases(seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    cases = [
        Case("x equal to the mean: score_mu = 0, score_log_sigma = -1", (np.array([1.5]), 1.5, 0.0)),
        Case("one sample one standard deviation above the mean", (np.array([3.0]), 1.0, float(np.log(2.0)))),
        Case("sigma = 1 (log_sigma = 0): the scores are x - mu and (x - mu)^2 - 1", (np.array([-1.0, 0.0, 2.0]), 0.5, 0.0)),
        Case("narrow policy, sigma = 0.1", (np.array([3.9, 4.0, 4.25]), 4.0, float(np.log(0.1)))),
        Case("wide policy, sigma = e (log_sigma = 1), as in chapter 2", (np.array([-2.0, 0.0, 5.0]), 0.0, 1.0)),
    ]
    for i in range(5):
        mu = float(rng.normal(0.0, 3.0))
        log_sigma = float(rng.uniform(-2.0, 1.5))
        x = mu + np.exp(log_sigma) * rng.standard_normal(int(rng.integers(1, 8)))
        cases.append(Case(f"random case {i + 1}", (x, mu, log_sigma)))
    return cases


def check_gaussian_score(candidate, *, seed: int = 0, quiet: bool = False):
    """Check ``candidate(x, mu, log_sigma) -> (score_mu, score_log_sigma)``.

    The scores are the derivatives of :math:`\\log \\mathcal N(x; \\mu, \\sigma^2)`
    with respect to :math:`\\mu` and :math:`\\log\\sigma` (not :math:`\\sigma`),
    elementwise over the array ``x``.
    """
    return run_check(
        "gaussian score",
        candidate,
        gaussian_score,
        _cases(seed),
        rtol=1e-7,
        atol=1e-9,
        quiet=quiet,
    )
