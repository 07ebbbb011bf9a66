"""The one-dimensional reward with a single peak (chapters 1 and 2, :ref:`ch02`).

.. math::

    f(x) = \\begin{cases}
      0 & x \\le 0 \\\\
      2 & 0 < x \\le 2 \\\\
      x & 2 < x \\le 4 \\\\
      8 - x & 4 < x \\le 8 \\\\
      0 & x > 8
    \\end{cases}

A peak :math:`f(4) = 4`, a plateau of height 2 on :math:`(0, 2]` with a jump
at 0, and flat zero regions on both sides: a small test of what a
score-function gradient can and cannot see.
"""

from __future__ import annotations

import numpy as np

from ._validation import check_real_array

__all__ = ["peak_reward", "PEAK_BREAKPOINTS", "PEAK_ARGMAX", "PEAK_MAX"]

#: Points where ``peak_reward`` jumps (0) or kinks (2, 4, 8): split quadrature here.
PEAK_BREAKPOINTS = (0.0, 2.0, 4.0, 8.0)
#: The maximiser and the maximum of ``peak_reward``.
PEAK_ARGMAX = 4.0
PEAK_MAX = 4.0


def peak_reward(x) -> np.ndarray:
    """The piecewise reward :math:`f(x)` above, elementwise (chapter 2).

    Args:
        x: actions, an array of any shape (or a scalar) of finite reals.

    Returns:
        Array of the shape of ``x``, in its float dtype (float64 for integer input).
    """
    arr = check_real_array("x", x)
    zero = np.zeros_like(arr)
    return np.select(
        [arr <= 0, arr <= 2, arr <= 4, arr <= 8],
        [zero, zero + 2, arr, 8 - arr],
        default=zero,
    ).astype(arr.dtype, copy=False)
