"""The backward affine recurrence shared by every estimator (chapter 15, :ref:`ch15`).

Every estimator of the book ends with one recursion run from the last step
back to the first,

.. math::

    x_t = b_t + a_t\\, x_{t+1}, \\qquad x_T = 0,

on arrays of shape ``[T, N]`` (time-major, one column per environment). For
GAE, ``b`` is the TD error and ``a = γλ(1 - done)``; for the λ-return ``b`` is
the reward plus the part of the bootstrap known at step ``t``. A zero ``a_t``
(the end of an episode) stops anything flowing back across it.

:func:`backward_affine` computes it by one of four methods, all giving the
same numbers (``"loop"`` and ``"lfilter"`` bit for bit, the other two within a
few rounding errors of the scan of absolute values, see below):

``"loop"``
    The readable reference: one vectorised step per time index, in place.
    Its cost is about ``T`` NumPy calls, so it wins only when ``N`` is large.
``"lfilter"``
    Only when ``a`` takes the values ``0`` and one constant ``c`` (constant
    ``γλ``). ``scipy.signal.lfilter`` runs the recursion in C; each stretch
    between two zeros of ``a`` (one episode of one environment) becomes one
    row of a padded 2-D array, with the padding *after* the stretch in the
    order the filter runs, where it cannot change anything. Bit-for-bit equal
    to ``"loop"``.
``"blocked"``
    Any ``a``. Time is cut into ``K`` blocks of ``B`` steps; the recursion
    runs inside every block at once (``B`` vectorised steps on ``[K, N]``
    rows), together with the products ``P_t = a_t a_{t+1} ... a_{end of
    block}``; a ``K``-step pass carries the value at each block's start into
    the block before it, and ``x_t = y_t + P_t x_{start of next block}``
    finishes the job. About ``3B + 2K`` NumPy calls, ``B ≈ sqrt(T)``.
``"scan"``
    Any ``a``. The associative scan of chapter 15: composing the affine maps
    ``x ↦ b + a x`` by doubling, ``ceil(log2 T)`` vectorised steps of
    ``O(TN)`` work each. Shown in the chapter; rarely the fastest in NumPy.
``"numba"``
    Any ``a``: the loop compiled by numba (:mod:`gaebook._compiled`), bit for
    bit equal to ``"loop"``. numba is optional; ``"auto"`` takes this method
    for every shape once the backend is ``"numba"`` (:func:`set_backend`, or
    the environment variable ``GAEBOOK_BACKEND=numba`` read at import). The
    default backend is ``"numpy"``: the four methods above, no compiler.

Accumulation happens in the dtype of ``b`` (float32 stays float32, as in
PyTorch implementations); the rounding error of every method is then at most
a small multiple of ``u * S_t``, where ``u`` is the unit roundoff of that
dtype and ``S_t`` the same recursion run on ``|a|`` and ``|b|``.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "BACKENDS",
    "METHODS",
    "backward_affine",
    "available_methods",
    "backward_loop",
    "choose_method",
    "discounted_backward",
    "get_backend",
    "set_backend",
]

METHODS = ("loop", "lfilter", "blocked", "scan", "numba")
BACKENDS = ("numpy", "numba")

#: with at least this many environments the plain loop over time wins
#: (its ~T NumPy calls are amortised over wide rows); measured in chapter 15
LOOP_MIN_ENVS = 1024
#: "auto" takes the segmented lfilter when there are at most this many
#: stretches between zeros of ``a`` (then it makes one C call per stretch)
FEW_SEGMENTS = 48
#: below this many elements T * N, "auto" prefers the doubling scan to "blocked"
SCAN_MAX_SIZE = 1 << 14


_backend = "numpy"


def set_backend(name: str) -> str:
    """Choose what ``method="auto"`` uses: ``"numpy"`` (default) or ``"numba"``; returns the previous one.

    ``"numba"`` runs the compiled loop of :mod:`gaebook._compiled` at every
    shape (bit for bit the reference loop's numbers); it needs the optional
    ``numba`` package (``pip install "gaebook[fast]"``).
    """
    global _backend
    if name not in BACKENDS:
        raise ValueError(f"name must be one of {BACKENDS}, got {name!r}")
    if name == "numba":
        from . import _compiled

        if not _compiled.available():
            raise ValueError("name: the 'numba' backend needs numba (pip install \"gaebook[fast]\")")
    previous, _backend = _backend, name
    return previous


def available_methods() -> tuple[str, ...]:
    """:data:`METHODS` that run here: all of them, less ``"numba"`` when numba is not installed."""
    from . import _compiled

    return tuple(m for m in METHODS if m != "numba" or _compiled.available())


def get_backend() -> str:
    """The backend ``method="auto"`` uses now (see :func:`set_backend`)."""
    return _backend


def backward_loop(a, b):
    """The reference: ``x_t = b_t + a_t x_{t+1}`` from ``t = T - 1`` down to 0, ``x_T = 0``."""
    x = np.empty_like(b)
    x[-1] = b[-1]
    for t in range(b.shape[0] - 2, -1, -1):  # one vectorised step per time index
        np.multiply(a[t], x[t + 1], out=x[t])
        np.add(b[t], x[t], out=x[t])
    return x


def _lfilter_segments(c, keep, b):
    """Segmented ``lfilter`` for ``a = c * keep`` (constant ``c``); bit-for-bit equal to the loop."""
    from scipy.signal import lfilter

    T, N = b.shape
    den = np.array([1.0, -c], dtype=b.dtype)
    num = np.ones(1, dtype=b.dtype)
    # run order: environment after environment, each from t = T - 1 down to 0
    flat_b = np.ascontiguousarray(b[::-1].T).reshape(-1)
    reset = ~np.ascontiguousarray(keep[::-1].T).reshape(-1)  # a_t = 0: x_t ignores x_{t+1}
    reset[::T] = True  # every environment starts from x_T = 0
    starts = np.flatnonzero(reset)
    lengths = np.diff(np.append(starts, flat_b.size))
    out = np.empty_like(flat_b)
    if starts.size <= FEW_SEGMENTS:  # one call per stretch
        for s, n in zip(starts.tolist(), lengths.tolist()):
            out[s : s + n] = lfilter(num, den, flat_b[s : s + n])
        return out.reshape(N, T).T[::-1]
    # group the stretches by length (powers of two) so padding at most doubles the work
    group = np.ceil(np.log2(lengths)).astype(np.int64) if lengths.size else lengths
    for g in np.unique(group):
        sel = group == g
        s, n = starts[sel], lengths[sel]
        width = int(n.max())
        cols = np.arange(width)
        idx = np.minimum(s[:, None] + cols, flat_b.size - 1)  # padding reads what follows
        rows = lfilter(num, den, flat_b[idx], axis=1)
        valid = cols < n[:, None]
        out[idx[valid]] = rows[valid]
    return out.reshape(N, T).T[::-1]


def _blocked(a, b, block=None):
    """Two passes over ``K`` blocks of ``B`` steps, every block at once.

    Pass 1 runs the recursion inside each block from a zero start and keeps
    only two numbers per block and environment: the value ``y`` it reaches at
    the block's first step and the product ``P`` of the block's ``a``. Then
    ``x(first step of block k) = y_k + P_k x(first step of block k + 1)``
    carries the values across blocks, ``K`` steps. Pass 2 reruns the recursion
    inside every block, now from the right start, and writes ``x``. Inside a
    block pass 2 does the operations of the loop in the loop's order, so only
    the carried values can differ from the loop, by a few rounding errors.
    """
    T, N = b.shape
    B = block or max(2, int(math.sqrt(T)))
    K = T // B
    T0 = K * B
    x = np.empty_like(b)
    carry = np.zeros(N, dtype=b.dtype)  # x_T = 0
    for t in range(T - 1, T0 - 1, -1):  # the last T - K B steps, one by one
        carry = b[t] + a[t] * carry
        x[t] = carry
    if K == 0:
        return x
    A, Bv, X = a[:T0].reshape(K, B, N), b[:T0].reshape(K, B, N), x[:T0].reshape(K, B, N)
    y, P, tmp = Bv[:, -1].copy(), A[:, -1].copy(), np.empty((K, N), dtype=b.dtype)
    for j in range(B - 2, -1, -1):  # pass 1: every block at once, from a zero start
        np.multiply(A[:, j], y, out=tmp)
        np.add(Bv[:, j], tmp, out=y)
        P *= A[:, j]
    start = np.empty((K + 1, N), dtype=b.dtype)  # x after the last step of block k - 1
    start[K] = carry
    for k in range(K - 1, -1, -1):  # across blocks
        start[k] = y[k] + P[k] * start[k + 1]
    nxt = start[1:]  # pass 2: x_t = b_t + a_t x_{t+1} inside every block, from the right start
    for j in range(B - 1, -1, -1):
        np.multiply(A[:, j], nxt, out=X[:, j])
        np.add(Bv[:, j], X[:, j], out=X[:, j])
        nxt = X[:, j]
    return x


def _doubling_scan(a, b):
    """Associative scan by doubling: after the step with offset d, ``(A_t, X_t)`` composes 2d maps."""
    A, X = a.copy(), b.copy()
    T = b.shape[0]
    d = 1
    while d < T:
        X[: T - d] += A[: T - d] * X[d:]  # (A_t, X_t) ∘ (A_{t+d}, X_{t+d}), old values on the right
        A[: T - d] *= A[d:]
        d *= 2
    return X


def choose_method(shape, *, stretches=None) -> str:
    """The method :func:`backward_affine` uses for ``[T, N]`` arrays (see chapter 15).

    ``stretches`` is the number of runs between zeros of ``a`` (episodes
    times environments) when ``a`` is ``c * keep``, else ``None``.
    """
    T, N = shape
    if N >= LOOP_MIN_ENVS or T == 1:
        return "loop"
    if T * N <= SCAN_MAX_SIZE:
        return "scan"  # fastest on small arrays: log2(T) calls
    if stretches is not None and stretches <= FEW_SEGMENTS:
        return "lfilter"  # bit for bit the loop's numbers
    return "blocked"


def backward_affine(a, b, *, c=None, keep=None, method="auto"):
    """Solve ``x_t = b_t + a_t x_{t+1}``, ``x_T = 0``, for ``[T, N]`` float arrays.

    Pass either ``a`` (any float array of ``b``'s shape and dtype), or ``c``
    (a Python float) and ``keep`` (booleans of ``b``'s shape) meaning
    ``a = c * keep``; only the second form can use ``"lfilter"``. ``method`` is
    one of :data:`METHODS` or ``"auto"`` (:func:`choose_method`). ``b`` is not
    modified; the result has its shape and dtype.
    """
    constant = a is None
    if method == "auto" and _backend == "numba":
        method = "numba"
    if method == "numba":
        from . import _compiled

        if not _compiled.available():
            raise ValueError("method: 'numba' needs numba (pip install \"gaebook[fast]\")")
        return _compiled.backward_keep(c, keep, b) if constant else _compiled.backward_general(a, b)
    if method == "auto":
        stretches = None
        if constant and b.shape[1] <= FEW_SEGMENTS and b.size > SCAN_MAX_SIZE:
            stretches = b.shape[1] + int(np.count_nonzero(~keep[:-1]))
        method = choose_method(b.shape, stretches=stretches)
    if method == "lfilter":
        if not constant:
            raise ValueError("method 'lfilter' needs a constant c and a keep mask")
        return _lfilter_segments(c, keep, b)
    if constant:
        a = np.multiply(keep, b.dtype.type(c), dtype=b.dtype)
    if method == "loop":
        return backward_loop(a, b)
    if method == "blocked":
        return _blocked(a, b)
    if method == "scan":
        return _doubling_scan(a, b)
    raise ValueError(f"method must be one of {METHODS + ('auto',)}, got {method!r}")


def discounted_backward(b, coef, *, cut, method="auto"):
    """``x_t = b_t + coef_t (1 - cut_t) x_{t+1}``, ``x_T = 0``: the form every estimator uses.

    ``coef`` is a Python float (then the exact ``"lfilter"`` method is
    available) or an array broadcasting to ``b``'s shape; ``cut`` is a boolean
    array of ``b``'s shape, true where nothing flows back from step ``t + 1``.
    """
    if np.ndim(coef) == 0:
        return backward_affine(None, b, c=float(coef), keep=~cut, method=method)
    a = np.where(cut, b.dtype.type(0), coef).astype(b.dtype, copy=False)
    return backward_affine(a, b, method=method)


def _backend_from_environment() -> None:
    """Apply ``GAEBOOK_BACKEND`` (``numpy`` or ``numba``) if it is set."""
    import os

    name = os.environ.get("GAEBOOK_BACKEND", "").strip()
    if name:
        try:
            set_backend(name)
        except ValueError as err:
            raise ValueError(f"GAEBOOK_BACKEND={name!r}: {err}") from None


_backend_from_environment()
