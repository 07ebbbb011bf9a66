"""gaebook: the companion library of *Policy Gradients and GAE, Executably*.

Small pure functions on time-major arrays (shape ``[T]`` or ``[T, N]``) in the
transition convention of the book's notation chapter: ``terminated[t]`` and
``truncated[t]`` describe the transition that starts at step ``t`` and
``next_values[t]`` is the value of the observation that action ``a_t`` led to.
Each function's docstring names the chapter that derives it.
"""

from .gae import gae
from .nstep import nstep_advantages
from .returns import discounted_returns, lambda_returns
from .td import split_values, td_errors

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "discounted_returns",
    "gae",
    "lambda_returns",
    "nstep_advantages",
    "split_values",
    "td_errors",
]
