"""The backward recurrence compiled with numba (optional; chapter 15, :ref:`ch15`).

Three loops, compiled on first use for each dtype: one for ``a = c * keep``
(constant ``γλ`` and an episode-boundary mask), one for any ``a``, and one
that fuses GAE's TD errors, its backward pass and ``returns = A + V`` into a
single sweep (:func:`gae_fused`), so that it writes two arrays and allocates
no temporaries. Each does the operations of the NumPy code in the same order
with the same roundings (``a_t x_{t+1}``, then ``b_t + ·``; ``(r_t + γ V'_t)
- V_t``); numba does not contract them into fused multiply-adds unless asked
(``fastmath``), so the results are bit for bit the NumPy path's. The inner
loop runs over environments, which are contiguous in the time-major layout.

numba is not a dependency of ``gaebook``: install it (``pip install
"gaebook[fast]"``) and choose it with :func:`gaebook.set_backend` or the
environment variable ``GAEBOOK_BACKEND=numba``.
"""

from __future__ import annotations

import functools

import numpy as np

__all__ = ["available", "backward_general", "backward_keep", "gae_fused", "gae_sweep", "general_sweep", "keep_sweep"]


def available() -> bool:
    """Whether numba can be imported."""
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def gae_sweep(g, c, r, v, nv, term, trunc, adv, ret):
    """GAE in one backward sweep: TD error, advantage and return of every element.

    g is γ and c is γλ, both in the arrays' dtype; adv and ret are written.
    As plain Python this is slow; gae_fused runs it compiled by numba.
    """
    T, N = r.shape
    zero = r.dtype.type(0.0)
    for t in range(T - 1, -1, -1):
        for i in range(N):  # environments: contiguous in memory
            boot = zero if term[t, i] else nv[t, i]
            d = r[t, i] + g * boot - v[t, i]  # delta_t, as (r + g V') - V
            if t < T - 1:
                a = zero if (term[t, i] or trunc[t, i]) else c
                d = d + a * adv[t + 1, i]  # the carry, cut at an episode's end
            adv[t, i] = d
            ret[t, i] = d + v[t, i]


def keep_sweep(c, keep, b, x):
    """``x_t = b_t + (c if keep_t else 0) x_{t+1}``, ``x_T = 0``, written into ``x``."""
    T, N = b.shape
    zero = b.dtype.type(0.0)
    for i in range(N):
        x[T - 1, i] = b[T - 1, i]
    for t in range(T - 2, -1, -1):
        for i in range(N):
            a = c if keep[t, i] else zero
            x[t, i] = b[t, i] + a * x[t + 1, i]


def general_sweep(a, b, x):
    """``x_t = b_t + a_t x_{t+1}``, ``x_T = 0``, written into ``x``."""
    T, N = b.shape
    for i in range(N):
        x[T - 1, i] = b[T - 1, i]
    for t in range(T - 2, -1, -1):
        for i in range(N):
            x[t, i] = b[t, i] + a[t, i] * x[t + 1, i]


@functools.cache
def _kernels():
    """The three sweeps compiled by numba (once per process; each dtype compiles on first use)."""
    import numba

    jit = numba.njit(nogil=True)  # no fastmath: no reordering, no fused multiply-add
    return jit(keep_sweep), jit(general_sweep), jit(gae_sweep)


def backward_keep(c, keep, b):
    """``x_t = b_t + c keep_t x_{t+1}``, ``x_T = 0``, for C-contiguous ``[T, N]`` ``b`` and ``keep``."""
    b = np.ascontiguousarray(b)
    x = np.empty_like(b)
    _kernels()[0](b.dtype.type(c), np.ascontiguousarray(keep), b, x)
    return x


def backward_general(a, b):
    """``x_t = b_t + a_t x_{t+1}``, ``x_T = 0``, for ``[T, N]`` arrays of one float dtype."""
    b = np.ascontiguousarray(b)
    x = np.empty_like(b)
    _kernels()[1](np.ascontiguousarray(a, dtype=b.dtype), b, x)
    return x


def gae_fused(ro, gamma: float, lam: float):
    """``(advantages, returns)`` of :func:`gaebook.gae` for a validated ``Rollout`` and numbers ``gamma``, ``lam``."""
    dt = ro.dtype

    def prep(x):
        return np.ascontiguousarray(x, dtype=dt)

    r, v, nv = prep(ro.rewards), prep(ro.values), prep(ro.next_values)
    adv, ret = np.empty_like(r), np.empty_like(r)
    _kernels()[2](dt.type(gamma), dt.type(gamma * lam), r, v, nv,
                  np.ascontiguousarray(ro.terminated), np.ascontiguousarray(ro.truncated), adv, ret)
    return adv, ret
