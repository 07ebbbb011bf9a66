"""A one-dimensional Gaussian policy and its score (chapters 1 and 2, :ref:`ch01`, :ref:`ch02`).

The policy is :math:`x \\sim \\mathcal N(\\mu, \\sigma^2)` with parameters
:math:`\\theta = (\\mu, \\log\\sigma)`. Using :math:`\\log\\sigma` instead of
:math:`\\sigma` keeps :math:`\\sigma = e^{\\log\\sigma}` positive whatever a
gradient step does. Everything here is closed form: no autodiff.

Pure functions take ``mu`` and ``log_sigma`` as real scalars and samples
``x`` as arrays of any shape; :class:`GaussianPolicy` only holds the two
parameters. Quadrature helpers (:func:`expectation_quad`,
:func:`gradient_quad`) give the exact expectations the Monte Carlo estimates
are checked against.
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np

from ._validation import check_real_array

__all__ = [
    "GaussianPolicy",
    "gaussian_log_prob",
    "gaussian_score",
    "gaussian_sample",
    "pg_estimate",
    "expectation_quad",
    "gradient_quad",
]

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


def _check_scalar(name: str, value) -> float:
    """Return ``value`` as a float after checking that it is a finite real number."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Real, np.floating, np.integer)):
        if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "fiu":
            value = value.item()
        else:
            raise ValueError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return value


#: exp(709.78...) overflows a float64; |log sigma| beyond this is refused
_MAX_ABS_LOG_SIGMA = 700.0


def _check_log_sigma(value) -> float:
    """A finite ``log_sigma`` with ``|log_sigma| <= 700``, so ``exp(±log_sigma)`` is a finite float64."""
    value = _check_scalar("log_sigma", value)
    if abs(value) > _MAX_ABS_LOG_SIGMA:
        raise ValueError(f"log_sigma must lie in [-700, 700] (exp would overflow), got {value!r}")
    return value


def _check_samples(name: str, x) -> np.ndarray:
    """Return ``x`` as a float array (keeping a float dtype the caller gave); refuse NaN/inf."""
    return check_real_array(name, x)


def _check_rng(rng) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), got {type(rng).__name__}")
    return rng


def gaussian_log_prob(x, mu, log_sigma) -> np.ndarray:
    r"""Log-density :math:`\log p(x) = -\tfrac12 \left(\tfrac{x-\mu}{\sigma}\right)^2 - \log\sigma - \tfrac12\log 2\pi`.

    Args:
        x: samples, an array of any shape (a scalar is fine).
        mu: mean :math:`\mu`, a finite real number.
        log_sigma: :math:`\log\sigma`, a finite real number.

    Returns:
        Array of the shape and float dtype of ``x``.
    """
    x = _check_samples("x", x)
    mu = _check_scalar("mu", mu)
    log_sigma = _check_log_sigma(log_sigma)
    z = (x - mu) * math.exp(-log_sigma)
    return (-0.5 * z * z - log_sigma - _LOG_SQRT_2PI).astype(x.dtype, copy=False)


def gaussian_score(x, mu, log_sigma):
    r"""Score of :math:`\mathcal N(\mu, \sigma^2)` in :math:`(\mu, \log\sigma)`.

    .. math::

        \frac{\partial \log p(x)}{\partial\mu} = \frac{x-\mu}{\sigma^2},
        \qquad
        \frac{\partial \log p(x)}{\partial\log\sigma}
        = \frac{(x-\mu)^2}{\sigma^2} - 1.

    Derived in chapter 2. Args as in :func:`gaussian_log_prob`.

    Returns:
        ``(score_mu, score_log_sigma)``: two arrays of the shape and
        float dtype of ``x``.
    """
    x = _check_samples("x", x)
    mu = _check_scalar("mu", mu)
    log_sigma = _check_log_sigma(log_sigma)
    inv_sigma = math.exp(-log_sigma)
    z = (x - mu) * inv_sigma              # (x - mu) / sigma
    score_mu = z * inv_sigma              # (x - mu) / sigma^2
    score_log_sigma = z * z - 1.0         # (x - mu)^2 / sigma^2 - 1
    return (score_mu.astype(x.dtype, copy=False),
            score_log_sigma.astype(x.dtype, copy=False))


def gaussian_sample(mu, log_sigma, n, rng) -> np.ndarray:
    """Draw ``n`` samples :math:`x = \\mu + \\sigma z`, :math:`z \\sim \\mathcal N(0, 1)`, from ``rng``.

    Args:
        mu, log_sigma: the parameters (finite reals).
        n: number of samples, a positive integer.
        rng: a ``numpy.random.Generator``; the only source of randomness.

    Returns:
        float64 array of shape ``[n]``.
    """
    mu = _check_scalar("mu", mu)
    log_sigma = _check_log_sigma(log_sigma)
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    rng = _check_rng(rng)
    return mu + math.exp(log_sigma) * rng.standard_normal(int(n))


def pg_estimate(x, rewards, mu, log_sigma):
    r"""Score-function estimate of :math:`\nabla_\theta \mathbb E[f(x)]` from a batch.

    .. math::

        \hat g = \frac1n \sum_{i=1}^n f(x_i)\, \nabla_\theta \log p_\theta(x_i),
        \qquad \theta = (\mu, \log\sigma).

    Derived in chapter 1 (theorem *thm-score-function*).

    Args:
        x: ``[n]`` samples drawn from the policy, ``n >= 2``.
        rewards: ``[n]`` rewards, ``rewards[i] = f(x[i])``.
        mu, log_sigma: the parameters the samples were drawn with.

    Returns:
        ``(grad, stderr)``, float64 arrays of shape ``[2]`` in the order
        (mu, log_sigma): the estimate, and the standard error of each
        component (sample standard deviation over sqrt(n)).
    """
    x = _check_samples("x", x)
    rewards = _check_samples("rewards", rewards)
    if x.ndim != 1 or x.shape[0] < 2:
        raise ValueError(f"x must have shape [n] with n >= 2, got {x.shape}")
    if rewards.shape != x.shape:
        raise ValueError(f"rewards must have the shape of x {x.shape}, "
                         f"got {rewards.shape}")
    score_mu, score_log_sigma = gaussian_score(x, mu, log_sigma)
    terms = np.stack([rewards * score_mu, rewards * score_log_sigma], axis=1)
    terms = terms.astype(np.float64, copy=False)  # [n, 2]: f(x_i) * score
    n = x.shape[0]
    return terms.mean(axis=0), terms.std(axis=0, ddof=1) / math.sqrt(n)


def _pieces(breakpoints) -> list[tuple[float, float]]:
    b = sorted(_check_scalar("breakpoints", v) for v in breakpoints)
    edges = [-math.inf, *b, math.inf]
    return [(lo, hi) for lo, hi in zip(edges[:-1], edges[1:]) if lo < hi]


def expectation_quad(f, mu, log_sigma, *, breakpoints=()) -> float:
    r""":math:`\mathbb E_{x \sim \mathcal N(\mu,\sigma^2)}[f(x)] = \int f(x)\, p(x)\, dx` by adaptive quadrature.

    The line is split at ``breakpoints`` (where ``f`` jumps or kinks) and
    ``scipy.integrate.quad`` integrates each piece, so a discontinuous ``f``
    costs no accuracy. Used for the exact expected reward in chapter 2.

    Args:
        f: a function of one float returning a float.
        mu, log_sigma: the parameters.
        breakpoints: points where ``f`` is not smooth.
    """
    from scipy.integrate import quad

    mu = _check_scalar("mu", mu)
    log_sigma = _check_log_sigma(log_sigma)
    if not callable(f):
        raise ValueError(f"f must be a function of one float, got {type(f).__name__}")

    sigma = math.exp(log_sigma)

    def integrand(x):
        z = (x - mu) / sigma
        return float(f(x)) * math.exp(-0.5 * z * z - log_sigma - _LOG_SQRT_2PI)

    total = sum(quad(integrand, lo, hi, epsabs=1e-13, epsrel=1e-12, limit=200)[0] for lo, hi in _pieces(breakpoints))
    if not math.isfinite(total):
        raise ValueError(f"f must have a finite expectation under N(mu, sigma^2); quadrature gave {total!r}")
    return total


def gradient_quad(f, mu, log_sigma, *, breakpoints=(), h=1e-4) -> np.ndarray:
    r"""Exact :math:`\nabla_{(\mu, \log\sigma)}\, \mathbb E[f(x)]`, from quadrature alone.

    Differentiates :func:`expectation_quad` by central differences with step
    ``h`` in each parameter. The expectation is a smooth function of the
    parameters (the Gaussian smooths ``f``), so the error is
    :math:`O(h^2)` plus the quadrature error over :math:`h`, about
    :math:`10^{-8}` here. It does not use the score, so it is an independent
    reference for the score-function estimator (chapters 1 and 2).

    Returns:
        float64 array of shape ``[2]``: the derivatives in :math:`\mu` and :math:`\log\sigma`.
    """
    mu = _check_scalar("mu", mu)
    log_sigma = _check_log_sigma(log_sigma)
    h = _check_scalar("h", h)
    if h <= 0:
        raise ValueError(f"h must be positive, got {h!r}")

    def J(m, s):
        return expectation_quad(f, m, s, breakpoints=breakpoints)

    d_mu = (J(mu + h, log_sigma) - J(mu - h, log_sigma)) / (2 * h)
    d_log_sigma = (J(mu, log_sigma + h) - J(mu, log_sigma - h)) / (2 * h)
    return np.array([d_mu, d_log_sigma])


class GaussianPolicy:
    """The parameters :math:`(\\mu, \\log\\sigma)` of a Gaussian policy, and its samples and scores.

    The only state is the two numbers; every method calls the pure functions
    of this module. Built in chapter 2.
    """

    def __init__(self, mu=0.0, log_sigma=0.0):
        self.mu = _check_scalar("mu", mu)
        self.log_sigma = _check_log_sigma(log_sigma)

    @classmethod
    def from_sigma(cls, mu, sigma) -> "GaussianPolicy":
        """Build from the standard deviation :math:`\\sigma > 0` instead of its log."""
        sigma = _check_scalar("sigma", sigma)
        if sigma <= 0:
            raise ValueError(f"sigma must be positive, got {sigma!r}")
        return cls(mu, math.log(sigma))

    @property
    def sigma(self) -> float:
        return math.exp(self.log_sigma)

    @property
    def params(self) -> np.ndarray:
        """``[mu, log_sigma]`` as a new float64 array (the order of every gradient)."""
        return np.array([self.mu, self.log_sigma])

    @params.setter
    def params(self, value) -> None:
        arr = np.asarray(value)
        if arr.shape != (2,):
            raise ValueError(f"params must have shape [2] (mu, log_sigma), got shape {arr.shape}")
        self.mu = _check_scalar("mu", arr[0])
        self.log_sigma = _check_log_sigma(arr[1])

    def sample(self, n, rng) -> np.ndarray:
        return gaussian_sample(self.mu, self.log_sigma, n, rng)

    def log_prob(self, x) -> np.ndarray:
        return gaussian_log_prob(x, self.mu, self.log_sigma)

    def score(self, x):
        return gaussian_score(x, self.mu, self.log_sigma)

    def __repr__(self) -> str:
        return f"GaussianPolicy(mu={self.mu:.4g}, sigma={self.sigma:.4g})"
