r"""A small multilayer perceptron in NumPy, with backpropagation written out (chapter 12, :ref:`ch12`).

The network maps a batch of inputs ``x`` of shape ``[B, d_0]`` to outputs
``[B, d_L]`` through ``L`` affine layers, with ``tanh`` between them:

.. math::

    h_0 = x, \qquad
    z_l = h_{l-1} W_l + b_l, \qquad
    h_l = \tanh(z_l) \;(1 \le l < L), \qquad
    \mathrm{out} = z_L .

``W_l`` has shape ``[d_{l-1}, d_l]`` and ``b_l`` shape ``[d_l]``. All
parameters live in one flat float64 vector (``W_1`` row-major, ``b_1``,
``W_2``, ``b_2``, ...), so an optimiser such as :class:`gaebook.optim.Adam`
updates the whole network at once.

Backpropagation, for a loss :math:`\mathcal L` with
:math:`g = \partial \mathcal L / \partial\, \mathrm{out}` given:

.. math::

    \frac{\partial \mathcal L}{\partial z_L} = g, \qquad
    \frac{\partial \mathcal L}{\partial W_l} = h_{l-1}^\top \frac{\partial \mathcal L}{\partial z_l}, \qquad
    \frac{\partial \mathcal L}{\partial b_l} = \mathbf 1^\top \frac{\partial \mathcal L}{\partial z_l},

.. math::

    \frac{\partial \mathcal L}{\partial h_{l-1}} = \frac{\partial \mathcal L}{\partial z_l} W_l^\top,
    \qquad
    \frac{\partial \mathcal L}{\partial z_{l-1}} =
    \frac{\partial \mathcal L}{\partial h_{l-1}} \odot (1 - h_{l-1}^2)
    \quad\text{since } \tanh' = 1 - \tanh^2 .

Initialisation is orthogonal with a gain per layer, as in most PPO code
(Huang et al. 2022): :math:`\sqrt 2` on hidden layers, a small gain (0.01)
on a policy's output layer so that the first policy is nearly uniform, and
1 on a value output; biases start at zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np

__all__ = ["MLP", "orthogonal", "HIDDEN_GAIN", "POLICY_GAIN", "VALUE_GAIN"]

HIDDEN_GAIN = math.sqrt(2.0)
POLICY_GAIN = 0.01
VALUE_GAIN = 1.0


def _check_gain(name: str, value) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Real, np.floating, np.integer)):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite positive number, got {value!r}")
    return value


def _check_rng(rng) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    return rng


def orthogonal(rows, cols, *, gain, rng):
    r"""A ``[rows, cols]`` matrix with orthonormal rows or columns, times ``gain``.

    .. math::

        A = Q R \ \text{(QR of a standard normal matrix)}, \qquad
        W = \mathrm{gain} \cdot Q\, \mathrm{diag}(\operatorname{sign} R_{ii}),

    transposed when ``rows < cols``. The sign fix makes :math:`Q` uniformly
    (Haar) distributed. :math:`W^\top W = \mathrm{gain}^2 I` if
    ``rows >= cols``, else :math:`W W^\top = \mathrm{gain}^2 I` (chapter 12).

    Args:
        rows, cols: positive integers.
        gain: positive scale.
        rng: a ``numpy.random.Generator``.

    Returns:
        float64 array ``[rows, cols]``.
    """
    for name, n in (("rows", rows), ("cols", cols)):
        if isinstance(n, bool) or not isinstance(n, Integral) or n < 1:
            raise ValueError(f"{name} must be a positive integer, got {n!r}")
    gain = _check_gain("gain", gain)
    rng = _check_rng(rng)
    big, small = max(rows, cols), min(rows, cols)
    a = rng.standard_normal((big, small))
    q, r = np.linalg.qr(a)                     # q: [big, small], orthonormal columns
    q = q * np.sign(np.where(np.diag(r) == 0, 1.0, np.diag(r)))
    w = q if rows >= cols else q.T
    return gain * np.ascontiguousarray(w)


@dataclass(frozen=True)
class MLP:
    """The structure of a tanh MLP; its parameters are a separate flat vector.

    Args:
        sizes: layer widths ``(d_0, d_1, ..., d_L)``, input first, ``L >= 1``.
        output_gain: orthogonal gain of the last layer (0.01 for a policy
            head, 1 for a value head).
        hidden_gain: orthogonal gain of the other layers (default sqrt 2).

    Methods are pure: :meth:`init` returns a new parameter vector,
    :meth:`forward` and :meth:`backward` never modify their arguments.
    """

    sizes: tuple
    output_gain: float = VALUE_GAIN
    hidden_gain: float = HIDDEN_GAIN

    def __post_init__(self):
        sizes = tuple(self.sizes) if isinstance(self.sizes, (tuple, list)) else None
        if sizes is None or len(sizes) < 2 or any(
            isinstance(s, bool) or not isinstance(s, Integral) or s < 1 for s in sizes
        ):
            raise ValueError(f"sizes must be a sequence of at least two positive integers, got {self.sizes!r}")
        object.__setattr__(self, "sizes", tuple(int(s) for s in sizes))
        object.__setattr__(self, "output_gain", _check_gain("output_gain", self.output_gain))
        object.__setattr__(self, "hidden_gain", _check_gain("hidden_gain", self.hidden_gain))
        offsets, start = [], 0
        for d_in, d_out in zip(self.sizes[:-1], self.sizes[1:]):
            offsets.append((start, start + d_in * d_out, start + d_in * d_out + d_out))
            start += d_in * d_out + d_out
        object.__setattr__(self, "_offsets", tuple(offsets))
        object.__setattr__(self, "num_params", start)

    @property
    def num_layers(self) -> int:
        return len(self.sizes) - 1

    def layers(self, params):
        """``[(W_1, b_1), ..., (W_L, b_L)]`` as views into ``params`` (no copy)."""
        out = []
        for (d_in, d_out), (s, m, e) in zip(zip(self.sizes[:-1], self.sizes[1:]), self._offsets):
            out.append((params[s:m].reshape(d_in, d_out), params[m:e]))
        return out

    def init(self, rng) -> np.ndarray:
        """Orthogonal weights (gains as documented), zero biases: float64 ``[num_params]``."""
        rng = _check_rng(rng)
        params = np.zeros(self.num_params)
        for l, (w, _) in enumerate(self.layers(params)):
            gain = self.output_gain if l == self.num_layers - 1 else self.hidden_gain
            w[...] = orthogonal(*w.shape, gain=gain, rng=rng)
        return params

    def check_params(self, params) -> np.ndarray:
        arr = np.asarray(params)
        if arr.dtype == np.bool_ or arr.dtype.kind not in "fiu":
            raise ValueError(f"params must be an array of real numbers, got dtype {arr.dtype}")
        if arr.shape != (self.num_params,):
            raise ValueError(f"params must have shape ({self.num_params},), got {arr.shape}")
        if not np.all(np.isfinite(arr)):
            raise ValueError("params must be finite (no NaN or inf)")
        return arr.astype(np.float64, copy=False)

    def check_inputs(self, x) -> np.ndarray:
        arr = np.asarray(x)
        if arr.dtype == np.bool_ or arr.dtype.kind not in "fiu":
            raise ValueError(f"x must be an array of real numbers, got dtype {arr.dtype}")
        if arr.ndim != 2 or arr.shape[1] != self.sizes[0]:
            raise ValueError(f"x must have shape [B, {self.sizes[0]}], got {arr.shape}")
        if not np.all(np.isfinite(arr)):
            raise ValueError("x must be finite (no NaN or inf)")
        return arr.astype(np.float64, copy=False)

    def forward(self, params, x, *, validate=True):
        """Outputs ``[B, d_L]`` and the cache (the activations ``h_0..h_{L-1}``) for :meth:`backward`.

        With ``validate=True`` (the default) the arrays are checked and
        computed in float64. ``validate=False`` skips the checks and keeps the
        dtype of ``params`` and ``x`` (for inner training loops whose arrays
        were checked once; :func:`gaebook.ppo.train` computes in float32).
        """
        if validate:
            params, x = self.check_params(params), self.check_inputs(x)
        hs = [x]
        layers = self.layers(params)
        h = x
        for w, b in layers[:-1]:
            h = np.tanh(h @ w + b)
            hs.append(h)
        w, b = layers[-1]
        return h @ w + b, hs

    def __call__(self, params, x):
        """The outputs only: ``forward(params, x)[0]``."""
        return self.forward(params, x)[0]

    def backward(self, params, cache, grad_out, *, validate=True) -> np.ndarray:
        """Gradient of the loss with respect to ``params``, float64 ``[num_params]``.

        Args:
            params: the vector used in :meth:`forward`.
            cache: the activations :meth:`forward` returned.
            grad_out: ``[B, d_L]``, the loss's gradient with respect to the outputs.
        """
        hs = cache
        if validate:
            params = self.check_params(params)
            if not isinstance(hs, list) or len(hs) != self.num_layers:
                raise ValueError("cache must be the list of activations returned by forward")
            g = np.asarray(grad_out)
            if g.dtype == np.bool_ or g.dtype.kind not in "fiu" or g.shape != (hs[0].shape[0], self.sizes[-1]):
                raise ValueError(
                    f"grad_out must be a real array of shape {(hs[0].shape[0], self.sizes[-1])}, got "
                    f"{g.shape} ({g.dtype})"
                )
            if not np.all(np.isfinite(g)):
                raise ValueError("grad_out must be finite (no NaN or inf)")
            grad_out = g.astype(np.float64, copy=False)
        dtype = np.result_type(params.dtype, grad_out.dtype)  # float32 stays float32
        grad = np.empty(self.num_params, dtype=dtype)
        layers = self.layers(params)
        grad_layers = self.layers(grad)
        dz = grad_out                                    # dL/dz_L
        for l in range(self.num_layers - 1, -1, -1):
            w, _ = layers[l]
            gw, gb = grad_layers[l]
            h_prev = hs[l]
            np.matmul(h_prev.T, dz, out=gw)              # dL/dW_l = h_{l-1}^T dz_l
            dz.sum(axis=0, out=gb)                       # dL/db_l = column sums of dz_l
            if l > 0:
                dh = dz @ w.T                            # dL/dh_{l-1}
                dz = dh * (1.0 - h_prev * h_prev)        # tanh' = 1 - tanh^2
        return grad
