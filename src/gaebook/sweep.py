"""Run many training runs in parallel processes, reproducibly (chapter 13, :ref:`ch13`).

A sweep is a list of configurations, one per run: keyword arguments for a
training function such as :func:`gaebook.ppo.train`. :func:`sweep_seeds`
derives one integer seed per run from a single ``numpy.random.SeedSequence``
(child ``i`` of the sequence, computed from its spawn key, so the same
sequence always gives the same seeds however often it is used), and
:func:`run_sweep` runs the configurations in a ``ProcessPoolExecutor`` and
returns the results in the order of the configurations.

Because every run is seeded and single-threaded, and results are put back
in configuration order, the outcome does not depend on the number of
workers or on which worker finished first.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from numbers import Integral
from typing import Any, Callable, Sequence

import numpy as np

__all__ = ["sweep_seeds", "default_workers", "run_sweep"]

#: Workers used when ``max_workers`` is not given: one per core, at most this many.
MAX_DEFAULT_WORKERS = 2
#: Environment variables that set the thread count of the BLAS libraries NumPy may use.
_BLAS_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def sweep_seeds(seed_sequence: np.random.SeedSequence, n: int) -> list[int]:
    """Seeds of ``n`` runs: child ``i`` of ``seed_sequence``, as a 32-bit integer.

    Child ``i`` is ``SeedSequence(entropy, spawn_key=spawn_key + (i,))``,
    exactly what ``seed_sequence.spawn`` would return on a fresh sequence, but
    without changing ``seed_sequence`` (``spawn`` counts its children, so a
    second call would give different seeds).

    Args:
        seed_sequence: the sweep's one ``numpy.random.SeedSequence``.
        n: number of runs, ``n >= 0``.

    Returns:
        ``n`` integers in ``[0, 2**32)``, independent streams for all practical
        purposes (chapter 13, :ref:`ch13`).
    """
    if not isinstance(seed_sequence, np.random.SeedSequence):
        raise ValueError(f"seed_sequence must be a numpy.random.SeedSequence, got {type(seed_sequence).__name__}")
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, Integral) or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}")
    seeds = []
    for i in range(int(n)):
        child = np.random.SeedSequence(
            seed_sequence.entropy, spawn_key=(*seed_sequence.spawn_key, i), pool_size=seed_sequence.pool_size
        )
        seeds.append(int(child.generate_state(1, dtype=np.uint32)[0]))
    return seeds


def default_workers(cap: int = MAX_DEFAULT_WORKERS) -> int:
    """One worker per core, ``os.cpu_count()``, capped at ``cap`` (2: the book's machine)."""
    return max(1, min(os.cpu_count() or 1, cap))


class _Call:
    """``fn(**config, seed=seed)``, picklable when ``fn`` is a top-level function."""

    def __init__(self, fn: Callable[..., Any]):
        self.fn = fn

    def __call__(self, job: tuple[dict, int]) -> Any:
        config, seed = job
        return self.fn(**config, seed=seed)


@contextmanager
def _environment(values: dict[str, str]):
    """Set environment variables for the duration of the block, then restore them."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run_sweep(
    fn: Callable[..., Any],
    configs: Sequence[dict],
    *,
    seed_sequence: np.random.SeedSequence,
    max_workers: int | None = None,
    blas_threads: int | None = 1,
) -> list[Any]:
    """Run ``fn(**configs[i], seed=seeds[i])`` for every ``i`` in parallel processes.

    Args:
        fn: a top-level (picklable) function taking keyword arguments and
            ``seed``, e.g. :func:`gaebook.ppo.train` (then every config needs
            ``env_id`` and ``lam``).
        configs: one dict of keyword arguments per run, without ``seed``.
        seed_sequence: the sweep's ``SeedSequence``; run ``i`` gets
            ``sweep_seeds(seed_sequence, len(configs))[i]``.
        max_workers: processes to use; default :func:`default_workers`
            (``os.cpu_count()`` capped at 2). ``1`` runs in this process,
            which is handy for debugging.
        blas_threads: BLAS threads per worker (default 1, so that ``W``
            workers use ``W`` cores and do not fight over them). The workers
            are then started with the ``spawn`` method, so that they load NumPy
            after the thread count is set. ``None`` leaves the platform's
            start method and BLAS settings alone.

    Returns:
        The results, in the order of ``configs`` whatever order the workers
        finish in (chapter 13, :ref:`ch13`).
    """
    if not callable(fn):
        raise ValueError(f"fn must be callable, got {type(fn).__name__}")
    if isinstance(configs, dict) or not isinstance(configs, Sequence):
        raise ValueError(f"configs must be a list of dicts, got {type(configs).__name__}")
    for i, config in enumerate(configs):
        if not isinstance(config, dict):
            raise ValueError(f"configs[{i}] must be a dict of keyword arguments, got {type(config).__name__}")
        if "seed" in config:
            raise ValueError(f"configs[{i}] must not set 'seed': seeds come from seed_sequence")
    seeds = sweep_seeds(seed_sequence, len(configs))
    if max_workers is None:
        max_workers = default_workers()
    if isinstance(max_workers, (bool, np.bool_)) or not isinstance(max_workers, Integral) or max_workers < 1:
        raise ValueError(f"max_workers must be a positive integer, got {max_workers!r}")
    if blas_threads is not None and (
        isinstance(blas_threads, (bool, np.bool_)) or not isinstance(blas_threads, Integral) or blas_threads < 1
    ):
        raise ValueError(f"blas_threads must be None or a positive integer, got {blas_threads!r}")
    jobs = [(dict(config), seed) for config, seed in zip(configs, seeds)]
    call = _Call(fn)
    if max_workers == 1 or len(jobs) <= 1:
        return [call(job) for job in jobs]
    if blas_threads is None:
        context, env = None, {}
    else:
        context, env = multiprocessing.get_context("spawn"), {k: str(blas_threads) for k in _BLAS_VARIABLES}
    with _environment(env), ProcessPoolExecutor(max_workers=int(max_workers), mp_context=context) as pool:
        return list(pool.map(call, jobs, chunksize=1))  # map keeps the order of jobs
