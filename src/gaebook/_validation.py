"""Boundary checks shared by every public estimator.

Each public function calls :func:`check_rollout` once, at the top, and then
computes on plain NumPy arrays. Every failure is a ``ValueError`` whose message
starts with the argument's name, so a reader knows which input to fix.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from numbers import Real

import numpy as np

__all__ = [
    "Rollout",
    "check_rollout",
    "check_unit_interval",
    "check_discount",
    "check_real_array",
    "check_float_array",
    "check_flags",
    "as_array",
    "all_finite",
]


def as_array(name: str, x) -> np.ndarray:
    """``np.asarray(x)``, turning NumPy's error for ragged nested lists into one that names ``name``."""
    if x is None:
        raise ValueError(f"{name} must be an array, got None")
    try:
        return np.asarray(x)
    except (ValueError, TypeError) as err:
        raise ValueError(f"{name} must be a rectangular array (nested lists of equal lengths): {err}") from None


def all_finite(arr: np.ndarray) -> bool:
    """True if no entry is NaN or inf.

    A fast first test: a NaN or inf anywhere makes the sum NaN or inf. Only if
    the sum is not finite (which can also be an overflow of large finite
    entries) are the entries tested one by one.
    """
    if arr.size == 0 or np.isfinite(np.add.reduce(arr, axis=None)):
        return True
    return bool(np.all(np.isfinite(arr)))


def check_unit_interval(name: str, value) -> float:
    """Return ``value`` as a float after checking that it lies in [0, 1]."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Real, np.floating, np.integer)):
        raise ValueError(f"{name} must be a real number in [0, 1], got {value!r}")
    value = float(value)
    if math.isnan(value) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must lie in [0, 1], got {value!r}")
    return value


def check_real_array(name: str, x, *, allow_nan=False) -> np.ndarray:
    """Return ``x`` (any shape, or a scalar) as a floating array, keeping a float dtype the caller gave.

    Integer arrays are converted to float64. Booleans, complex numbers and
    objects are refused, and so are NaN or infinite entries unless
    ``allow_nan`` is true (then the caller masks them itself).
    """
    arr = as_array(name, x)
    if arr.dtype == np.bool_ or arr.dtype.kind not in "fiu":
        raise ValueError(f"{name} must be an array of real numbers, got dtype {arr.dtype}")
    if arr.dtype.kind in "iu":
        arr = arr.astype(np.float64)
    if not allow_nan and not all_finite(arr):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return arr


def check_float_array(name: str, x, *, allow_nan=False) -> np.ndarray:
    """Like :func:`check_real_array`, for rollout arrays: shape ``[T]`` or ``[T, N]``, at least one entry."""
    arr = check_real_array(name, x, allow_nan=True)
    if arr.ndim not in (1, 2):
        raise ValueError(f"{name} must have shape [T] or [T, N], got shape {arr.shape}")
    if arr.shape[0] == 0 or (arr.ndim == 2 and arr.shape[1] == 0):
        raise ValueError(f"{name} must hold at least one step and one environment, got shape {arr.shape}")
    if not allow_nan and not all_finite(arr):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return arr


def check_flags(name: str, x, shape: tuple[int, ...]) -> np.ndarray:
    """Return ``x`` as a boolean array of ``shape``.

    Booleans are accepted as they are; integer arrays only if every entry is
    0 or 1. Floats and anything else are refused, because a float "done" flag
    usually means the caller passed the wrong array.
    """
    arr = as_array(name, x)
    if arr.dtype != np.bool_:
        if arr.dtype.kind not in "iu":
            raise ValueError(f"{name} must be a boolean array, got dtype {arr.dtype}")
        if not np.all((arr == 0) | (arr == 1)):
            raise ValueError(f"{name} must hold only booleans (or the integers 0 and 1)")
        arr = arr.astype(bool)
    if arr.shape != shape:
        raise ValueError(f"{name} must have the same shape as rewards {shape}, got {arr.shape}")
    return arr


@dataclass(frozen=True)
class Rollout:
    """Validated rollout arrays, always two-dimensional ``[T, N]``.

    ``squeeze`` records whether the caller passed ``[T]`` arrays, so results
    can be returned in the caller's shape; ``dtype`` is the result dtype.
    """

    rewards: np.ndarray
    values: np.ndarray | None
    next_values: np.ndarray
    terminated: np.ndarray
    truncated: np.ndarray
    dtype: np.dtype
    squeeze: bool

    @cached_property
    def done(self) -> np.ndarray:
        """True where the episode ends after this step (terminated or truncated); computed once."""
        return self.terminated | self.truncated

    @cached_property
    def bootstrap(self) -> np.ndarray:
        """``next_values`` with the ignored entries (terminated steps) set to zero."""
        return np.where(self.terminated, 0.0, self.next_values).astype(self.dtype, copy=False)

    def out(self, x: np.ndarray) -> np.ndarray:
        """Return ``x`` in the caller's shape and dtype."""
        x = x.astype(self.dtype, copy=False)
        return x[:, 0] if self.squeeze else x


def check_rollout(rewards, values, next_values, terminated, truncated, *, values_required=False) -> Rollout:
    """Validate a rollout in the book's transition convention.

    ``values`` may be ``None`` for functions that do not need it; with
    ``values_required=True`` a ``None`` is refused. NaN or inf in
    ``next_values`` is allowed only where ``terminated`` is true, since those
    entries are never used.
    """
    r = check_float_array("rewards", rewards)
    shape = r.shape
    arrays = [r]
    v = None
    if values is None and values_required:
        raise ValueError(f"values must be an array of shape {shape} (V(s_t) for every step), got None")
    if values is not None:
        v = check_float_array("values", values)
        if v.shape != shape:
            raise ValueError(f"values must have the same shape as rewards {shape}, got {v.shape}")
        arrays.append(v)
    nv = check_float_array("next_values", next_values, allow_nan=True)
    if nv.shape != shape:
        raise ValueError(f"next_values must have the same shape as rewards {shape}, got {nv.shape}")
    arrays.append(nv)
    term = check_flags("terminated", terminated, shape)
    trunc = check_flags("truncated", truncated, shape)
    dtype = np.result_type(*arrays)
    squeeze = r.ndim == 1

    def as2d(a):
        return a[:, None] if squeeze else a

    ro = Rollout(
        rewards=as2d(r),
        values=None if v is None else as2d(v),
        next_values=as2d(nv),
        terminated=as2d(term),
        truncated=as2d(trunc),
        dtype=dtype,
        squeeze=squeeze,
    )
    nv = ro.next_values  # NaN or inf is allowed only where terminated (those entries are ignored)
    if not all_finite(nv) and not np.all(np.isfinite(nv) | ro.terminated):
        raise ValueError("next_values must be finite wherever terminated is False")
    return ro


def check_discount(name: str, value, ro: Rollout):
    """``gamma`` or ``lam``: a number in [0, 1], or an array of them, one per step or per environment.

    Accepted shapes, for a rollout of shape ``[T]`` or ``[T, N]``:

    - a real number (the same for every step);
    - the rollout's own shape ``[T]`` or ``[T, N]``: one value per step
      (``value[t]`` is the discount or λ of the transition that starts at
      step ``t``, as ``discount_t`` and ``lambda_`` in rlax);
    - ``[N]`` for a ``[T, N]`` rollout: one value per environment.

    Returns a Python float, or an array in the rollout's float dtype that
    broadcasts against the internal ``[T, N]`` arrays.
    """
    if not isinstance(value, (np.ndarray, list, tuple)):
        return check_unit_interval(name, value)
    T, N = ro.rewards.shape
    arr = as_array(name, value)
    allowed = [(T,)] if ro.squeeze else [(T, N), (N,)]
    if arr.shape not in allowed:
        raise ValueError(
            f"{name} must be a number in [0, 1] or an array of shape {' or '.join(map(str, allowed))}, "
            f"got shape {arr.shape}"
        )
    if arr.dtype == np.bool_ or arr.dtype.kind not in "fiu":
        raise ValueError(f"{name} must hold real numbers in [0, 1], got dtype {arr.dtype}")
    if not np.all((arr >= 0) & (arr <= 1)):  # also refuses NaN
        raise ValueError(f"{name} must lie in [0, 1] everywhere")
    arr = arr.astype(ro.dtype)
    return arr[:, None] if ro.squeeze else arr
