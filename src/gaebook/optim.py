"""Adam, written out so every line can be read (chapter 2, :ref:`ch02`).

Kingma & Ba's update for a parameter vector :math:`\\theta` and a gradient
:math:`g_t` at step :math:`t = 1, 2, \\dots`:

.. math::

    m_t = \\beta_1 m_{t-1} + (1-\\beta_1) g_t, \\qquad
    v_t = \\beta_2 v_{t-1} + (1-\\beta_2) g_t^2, \\\\
    \\Delta_t = \\alpha\\,
    \\frac{m_t / (1-\\beta_1^t)}{\\sqrt{v_t / (1-\\beta_2^t)} + \\epsilon}.

Gradient *ascent* adds :math:`\\Delta_t` (maximise a reward); gradient
*descent* subtracts it (minimise a loss). The two are separate, named
methods of :class:`Adam`, so the sign is never a hidden convention.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["Adam", "adam_direction"]


def _check_vector(name: str, x, shape=None) -> np.ndarray:
    arr = np.asarray(x)
    if arr.dtype == np.bool_ or arr.dtype.kind not in "fiu":
        raise ValueError(f"{name} must be an array of real numbers, got dtype {arr.dtype}")
    if arr.ndim != 1 or arr.shape[0] == 0:
        raise ValueError(f"{name} must have shape [d] with d >= 1, got {arr.shape}")
    if shape is not None and arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return arr.astype(np.float64, copy=False)


def _check_number(name: str, value, *, positive=False, unit=False) -> float:
    """A finite real number; ``positive``: > 0; ``unit``: in [0, 1)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(
        value, (int, float, np.integer, np.floating)
    ):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if positive and value <= 0:
        raise ValueError(f"{name} must be positive, got {value!r}")
    if unit and not 0 <= value < 1:
        raise ValueError(f"{name} must lie in [0, 1), got {value!r}")
    return value


def _check_hyper(lr, beta1, beta2, eps):
    return (_check_number("lr", lr, positive=True),
            _check_number("beta1", beta1, unit=True),
            _check_number("beta2", beta2, unit=True),
            _check_number("eps", eps, positive=True))


def adam_direction(grad, m, v, step, *, lr=0.01, beta1=0.9, beta2=0.999,
                   eps=1e-8):
    """One Adam update as a pure function: returns ``(delta, m_new, v_new)``.

    Args:
        grad: ``[d]`` gradient g_t.
        m, v: ``[d]`` moment estimates after step ``t - 1`` (zeros at first).
        step: the number t >= 1 of this update.

    Returns:
        ``delta`` (add it for ascent, subtract it for descent) and the new
        moments, all float64 ``[d]``.
    """
    grad = _check_vector("grad", grad)
    m = _check_vector("m", m, grad.shape)
    v = _check_vector("v", v, grad.shape)
    if np.any(v < 0):
        raise ValueError("v must be nonnegative (a running mean of squared gradients), "
                         f"got a minimum of {float(v.min())!r}")
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or step < 1:
        raise ValueError(f"step must be an integer >= 1, got {step!r}")
    lr, beta1, beta2, eps = _check_hyper(lr, beta1, beta2, eps)
    m_new = beta1 * m + (1 - beta1) * grad        # running mean of g
    v_new = beta2 * v + (1 - beta2) * grad**2     # running mean of g^2
    m_hat = m_new / (1 - beta1**step)             # bias correction:
    v_hat = v_new / (1 - beta2**step)             # m, v started at zero
    delta = lr * m_hat / (np.sqrt(v_hat) + eps)
    return delta, m_new, v_new


class Adam:
    """Adam's state (moments and step count) for one parameter vector.

    ``ascend(params, grad)`` returns ``params + delta`` (maximise);
    ``descend(params, grad)`` returns ``params - delta`` (minimise).
    Neither modifies ``params``. Use one instance per parameter vector.
    """

    def __init__(self, lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.beta1, self.beta2, self.eps = _check_hyper(lr, beta1, beta2, eps)
        self.m = None  # first moment, created at the first step
        self.v = None  # second moment
        self.step_count = 0

    def _delta(self, params, grad):
        params = _check_vector("params", params)
        grad = _check_vector("grad", grad, params.shape)
        if self.m is None:
            self.m, self.v = np.zeros_like(params), np.zeros_like(params)
        elif self.m.shape != params.shape:
            raise ValueError(f"params must keep the shape {self.m.shape} of "
                             f"earlier steps, got {params.shape}")
        self.step_count += 1
        delta, self.m, self.v = adam_direction(
            grad, self.m, self.v, self.step_count,
            lr=self.lr, beta1=self.beta1, beta2=self.beta2, eps=self.eps)
        return params, delta

    def ascend(self, params, grad) -> np.ndarray:
        """One step of gradient ascent: returns ``params + delta``."""
        params, delta = self._delta(params, grad)
        return params + delta

    def descend(self, params, grad) -> np.ndarray:
        """One step of gradient descent: returns ``params - delta``."""
        params, delta = self._delta(params, grad)
        return params - delta


def linear_annealing(initial, update, num_updates):
    r"""A value annealed linearly towards 0 over ``num_updates`` updates (chapter 12, :ref:`ch12`).

    .. math::

        \alpha_u = \alpha_0 \Bigl(1 - \frac{u}{U}\Bigr), \qquad u = 0, 1, \dots, U - 1,

    so the first update uses :math:`\alpha_0` and the last
    :math:`\alpha_0 / U`; the schedule would reach 0 at :math:`u = U`. PPO
    anneals Adam's learning rate this way (CleanRL and Stable-Baselines3 do).

    Args:
        initial: :math:`\alpha_0 > 0`.
        update: :math:`u`, an integer in ``[0, num_updates)``.
        num_updates: :math:`U \ge 1`.

    Returns:
        float, :math:`\alpha_u`.
    """
    initial = _check_number("initial", initial, positive=True)
    if isinstance(num_updates, bool) or not isinstance(num_updates, (int, np.integer)) or num_updates < 1:
        raise ValueError(f"num_updates must be an integer >= 1, got {num_updates!r}")
    if (isinstance(update, bool) or not isinstance(update, (int, np.integer))
            or not 0 <= update < num_updates):
        raise ValueError(f"update must be an integer in [0, num_updates), got {update!r}")
    return initial * (1.0 - update / num_updates)


__all__.append("linear_annealing")


def _adam_step_inplace(params, grad, m, v, step, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """:func:`adam_direction`'s update *descending*, unvalidated and in place on ``params``, ``m``, ``v``.

    For inner training loops (:func:`gaebook.ppo.train`) whose arrays are
    float64 ``[d]`` and checked once; the same formulas, fewer temporaries.
    """
    m *= beta1
    m += (1 - beta1) * grad
    v *= beta2
    v += (1 - beta2) * (grad * grad)
    step_size = lr / (1 - beta1**step)
    denom = np.sqrt(v)
    denom *= 1.0 / math.sqrt(1 - beta2**step)
    denom += eps
    params -= step_size * (m / denom)
