"""gaebook: the companion library of *Policy Gradients and GAE, Executably*.

Small pure functions on time-major arrays (shape ``[T]`` or ``[T, N]``) in the
transition convention of the book's notation chapter: ``terminated[t]`` and
``truncated[t]`` describe the transition that starts at step ``t`` and
``next_values[t]`` is the value of the observation that action ``a_t`` led to.
Each function's docstring names the chapter that derives it.

The advantage estimators are exported here; the other modules are imported
by name, e.g. ``from gaebook.gaussian import GaussianPolicy``:

- ``gaebook.gaussian``, ``gaebook.rewards``, ``gaebook.optim``: Gaussian policy,
  the peak reward and Adam (chapters 1–2);
- ``gaebook.softmax``, ``gaebook.trajectories``: softmax policies, trajectory
  enumeration and sampling, baselines (chapters 3–4);
- ``gaebook.rollout``: collecting ``[T, N]`` rollouts from Gymnasium vector
  environments, convention converters (chapter 9);
- ``gaebook.finite_mdp``: exact values and exact GAE moments on finite MDPs (chapter 10);
- ``gaebook.random_walk``, ``gaebook.td_learning``: the 19-state random walk and
  n-step TD / λ-return / TD(λ) learners (chapter 11);
- ``gaebook.nn``, ``gaebook.ppo``: a NumPy multilayer perceptron with
  hand-written backpropagation, and PPO on Gymnasium vector environments
  (chapter 12);
- ``gaebook.curves``, ``gaebook.sweep``: learning-curve statistics and seeded
  parallel sweeps (chapter 13);
- ``gaebook.tokens``, ``gaebook.tiny_lm``: token-level rewards, masked GAE and
  group baselines for language models, and an enumerable tiny language model
  (chapter 14);
- ``gaebook.errata``: published slips as wrong/fixed pairs (chapter 16);
- ``set_backend("numba")`` runs the estimators' backward pass compiled, with
  the same numbers, when the optional numba is installed (chapter 15);
- ``gaebook.checks``: the exercises' self-checks; ``gaebook.plotting`` and
  ``gaebook.animation``: the book's figure style and animation player.
"""

from .gae import gae
from .nstep import nstep_advantages
from .returns import discounted_returns, lambda_returns
from ._scan import get_backend, set_backend
from .td import split_values, td_errors

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "discounted_returns",
    "gae",
    "get_backend",
    "lambda_returns",
    "nstep_advantages",
    "set_backend",
    "split_values",
    "td_errors",
]
