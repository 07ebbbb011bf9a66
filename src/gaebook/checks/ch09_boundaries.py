"""Self-check for chapter 9: build ``next_values`` from an observation stream with resets.

A vector environment that resets in the same step (Gymnasium's ``SAME_STEP``
mode, and the way many libraries store rollouts) delivers a *stream* of
observations ``o_0, o_1, ..., o_T``: after a step that ends an episode, the
stream continues with the next episode's first observation, and the final
observation of the finished episode is delivered on the side. The reader's
function turns the critic's values of both into the book's ``next_values``.
"""

from __future__ import annotations

import numpy as np

from ._runner import Case, CheckResult, run_check

__all__ = ["check_next_values"]


def _reference(stream_values, final_values, terminated, truncated):
    """next_values[t] = final value where the episode was cut, else the stream's next value."""
    stream = np.asarray(stream_values, dtype=float)
    final = np.asarray(final_values, dtype=float)
    term = np.asarray(terminated, dtype=bool)
    trunc = np.asarray(truncated, dtype=bool)
    nxt = stream[1:].copy()
    cut = trunc & ~term
    nxt[cut] = final[cut]
    nxt[term] = np.nan  # ignored by every estimator: not compared
    return nxt


def _compare(expected, got) -> bool:
    try:
        g = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return False
    if g.shape != expected.shape:
        return False
    used = ~np.isnan(expected)
    return bool(np.all(np.isfinite(g[used])) and np.allclose(g[used], expected[used], rtol=1e-6, atol=1e-8))


def _case(description, rng, T, N, p_term, p_trunc, *, both=None, last=None):
    shape = (T,) if N is None else (T, N)
    stream_shape = (T + 1,) if N is None else (T + 1, N)
    stream_values = np.round(rng.uniform(-5.0, 5.0, size=stream_shape), 2)
    terminated = rng.random(shape) < p_term
    truncated = rng.random(shape) < p_trunc
    if both is not None:
        terminated[both] = truncated[both] = True
    if last == "truncated":
        terminated[-1], truncated[-1] = False, True
    done = terminated | truncated
    final_values = np.full(shape, np.nan)
    final_values[done] = np.round(rng.uniform(10.0, 20.0, size=int(done.sum())), 2)
    return Case(description, (stream_values, final_values, terminated, truncated))


def _cases(seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    cases = [
        _case("one environment, T = 8, a truncation and a termination", rng, 8, None, 0.15, 0.2),
        _case("T = 1, the only step truncated", rng, 1, None, 0.0, 0.0, last="truncated"),
        _case("T = 6, no episode ends", rng, 6, None, 0.0, 0.0),
        _case("T = 6, last step truncated", rng, 6, None, 0.0, 0.0, last="truncated"),
        _case("T = 7, step 3 both terminated and truncated", rng, 7, None, 0.0, 0.1, both=3),
        _case("T = 6, every step truncated (episodes of length one)", rng, 6, None, 0.0, 1.0),
        _case("[T, N] = [10, 3], frequent ends", rng, 10, 3, 0.2, 0.3),
    ]
    for k in range(5):
        cases.append(_case(f"random [T, N] rollout {k + 1}", rng, int(rng.integers(2, 16)),
                           int(rng.integers(1, 5)), 0.1, 0.15))
    return cases


def check_next_values(candidate, *, seed: int = 9, quiet: bool = False) -> CheckResult:
    """Check ``candidate(stream_values, final_values, terminated, truncated) -> next_values``.

    Args:
        candidate: the reader's function. ``stream_values`` has shape ``[T + 1]``
            or ``[T + 1, N]``: the critic's values of the observation stream,
            where row ``t + 1`` is the next episode's first observation if step
            ``t`` ended an episode, and the last row is the observation the
            rollout stopped at. ``final_values`` has shape ``[T]`` or ``[T, N]``:
            the value of the final observation where ``terminated | truncated``,
            NaN elsewhere. It must return ``next_values`` of shape ``[T]`` or
            ``[T, N]`` in the book's convention; entries at terminated steps are
            ignored (any value, even NaN, passes there).
        seed: seed of the randomized cases.
        quiet: do not print the report.

    Returns:
        The :class:`~gaebook.checks.CheckResult`, truthy when every case passed.
        Chapter 9, exercise *ex-ch09-next-values*.
    """
    return run_check("next_values", candidate, _reference, _cases(seed), compare=_compare, quiet=quiet)
