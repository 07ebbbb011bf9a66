"""The optional numba backend (chapter 15): the same numbers as the NumPy code, bit for bit.

``gaebook.set_backend("numba")`` makes every estimator run its backward pass
compiled, and ``gae`` fuse its TD errors, backward pass and returns into one
sweep. The compiled loops do the NumPy code's operations in the same order, so
the results must be *equal* (not close) to the readable references: the loop
of ``gaebook._scan.backward_loop`` and ``gaebook.gae.gae_reference``.
CI installs numba (requirements.txt); without it these tests are skipped and
``set_backend("numba")`` refuses with a clear error (tested here too).
"""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gaebook
from gaebook import _compiled, _scan, discounted_returns, gae, lambda_returns
from gaebook.gae import gae_reference
from test_estimators import rollouts

needs_numba = pytest.mark.skipif(not _compiled.available(), reason="numba is not installed")
unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
SETTINGS = settings(max_examples=80, deadline=None)


@contextmanager
def numba_on():
    """The numba backend inside the block, the previous one after it."""
    previous = gaebook.set_backend("numba")
    try:
        yield
    finally:
        gaebook.set_backend(previous)


@pytest.fixture()
def numba_backend():
    with numba_on():
        yield


def as_dtype(ro, dtype):
    return {k: (np.asarray(v, dtype) if np.asarray(v).dtype.kind == "f" else v) for k, v in ro.items()}


@needs_numba
@SETTINGS
@given(ro=rollouts(max_t=40, max_n=5), gamma=unit, lam=unit, dtype=st.sampled_from([np.float64, np.float32]))
def test_fused_gae_equals_the_reference_loop_bit_for_bit(ro, gamma, lam, dtype):
    ro = as_dtype(ro, dtype)
    expected = gae_reference(**ro, gamma=gamma, lam=lam)
    with numba_on():
        got = gae(**ro, gamma=gamma, lam=lam)
    for g, e in zip(got, expected):
        assert g.dtype == e.dtype == dtype and g.shape == e.shape
        np.testing.assert_array_equal(g, e)


@needs_numba
@SETTINGS
@given(ro=rollouts(max_t=40, max_n=5), seed=st.integers(0, 2**32 - 1))
def test_per_step_gamma_and_lambda_equal_the_reference_loop_bit_for_bit(ro, seed):
    rng = np.random.default_rng(seed)
    shape = np.shape(ro["rewards"])
    gamma, lam = rng.random(shape), rng.random(shape)
    expected = gae_reference(**ro, gamma=gamma, lam=lam)
    with numba_on():
        got = gae(**ro, gamma=gamma, lam=lam)
    for g, e in zip(got, expected):
        np.testing.assert_array_equal(g, e)


@needs_numba
@SETTINGS
@given(ro=rollouts(max_t=40, max_n=5), gamma=unit, lam=unit)
def test_returns_under_numba_equal_the_numpy_loop_method(ro, gamma, lam):
    """lambda_returns and discounted_returns: the compiled kernel against method "loop", exactly."""
    kw = {k: v for k, v in ro.items() if k != "values"}
    with numba_on():
        fast = lambda_returns(**kw, gamma=gamma, lam=lam), discounted_returns(**kw, gamma=gamma)
    with pytest.MonkeyPatch.context() as m:  # the reference: NumPy's loop over time at every shape
        m.setattr(_scan, "choose_method", lambda shape, stretches=None: "loop")
        slow = lambda_returns(**kw, gamma=gamma, lam=lam), discounted_returns(**kw, gamma=gamma)
    for f, s in zip(fast, slow):
        np.testing.assert_array_equal(f, s)


@needs_numba
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", [(1, 1), (2048, 64), (5000, 1), (3, 1100)])
def test_compiled_kernels_equal_the_loop_at_book_shapes(shape, dtype):
    rng = np.random.default_rng(sum(shape))
    b = rng.normal(size=shape).astype(dtype)
    keep = rng.random(shape) > 0.01
    a = rng.random(shape).astype(dtype)
    c = 0.99 * 0.95
    np.testing.assert_array_equal(_compiled.backward_general(a, b), _scan.backward_loop(a, b))
    a_keep = np.multiply(keep, dtype(c), dtype=dtype)
    np.testing.assert_array_equal(_compiled.backward_keep(c, keep, b), _scan.backward_loop(a_keep, b))
    np.testing.assert_array_equal(_scan.backward_affine(None, b, c=c, keep=keep, method="numba"),
                                  _scan.backward_loop(a_keep, b))


@needs_numba
def test_inputs_are_not_modified_and_non_contiguous_inputs_work(numba_backend):
    rng = np.random.default_rng(7)
    big = {k: rng.normal(size=(40, 6)) for k in ("rewards", "values", "next_values")}
    big["terminated"], big["truncated"] = rng.random((40, 6)) < 0.1, rng.random((40, 6)) < 0.1
    ro = {k: v[::2, ::2] for k, v in big.items()}  # strided views
    before = {k: v.copy() for k, v in ro.items()}
    got = gae(**ro, gamma=0.9, lam=0.8)
    for k in ro:
        np.testing.assert_array_equal(ro[k], before[k])
    for g, e in zip(got, gae_reference(**ro, gamma=0.9, lam=0.8)):
        np.testing.assert_array_equal(g, e)


@needs_numba
def test_validation_is_the_same_under_numba(numba_backend):
    ro = dict(rewards=np.ones(4), values=np.ones(4), next_values=np.array([1.0, np.nan, 1.0, 1.0]),
              terminated=np.zeros(4, bool), truncated=np.zeros(4, bool))
    with pytest.raises(ValueError, match="^next_values must be finite wherever terminated is False"):
        gae(**ro, gamma=0.9, lam=0.9)
    with pytest.raises(ValueError, match="^lam must lie in"):
        gae(**{**ro, "next_values": np.ones(4)}, gamma=0.9, lam=1.5)


def test_set_backend_names_its_argument_and_returns_the_previous_one():
    assert gaebook.get_backend() in _scan.BACKENDS
    with pytest.raises(ValueError, match="^name must be one of"):
        gaebook.set_backend("cuda")
    previous = gaebook.set_backend("numpy")
    assert gaebook.set_backend(previous) == "numpy"


def test_numba_backend_without_numba_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(_compiled, "available", lambda: False)
    assert "numba" not in _scan.available_methods() and "blocked" in _scan.available_methods()
    with pytest.raises(ValueError, match=r"^name: the 'numba' backend needs numba \(pip install"):
        gaebook.set_backend("numba")
    with pytest.raises(ValueError, match="^method: 'numba' needs numba"):
        _scan.backward_affine(np.ones((3, 1)), np.ones((3, 1)), method="numba")
    assert gaebook.get_backend() == "numpy"


@pytest.mark.parametrize("value,expected", [("numpy", "numpy"), ("numba", "numba"), ("gpu", None)])
def test_environment_variable_chooses_the_backend_at_import(value, expected):
    if value == "numba" and not _compiled.available():
        pytest.skip("numba is not installed")
    env = {**os.environ, "GAEBOOK_BACKEND": value}
    proc = subprocess.run([sys.executable, "-c", "import gaebook; print(gaebook.get_backend())"],
                          capture_output=True, text=True, env=env)
    if expected is None:
        assert proc.returncode != 0
        assert "ValueError: GAEBOOK_BACKEND='gpu': name must be one of" in proc.stderr
    else:
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip() == expected


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_uncompiled_sweeps_are_the_same_algorithm(dtype):
    """The Python source numba compiles, run as plain Python on a small rollout (no numba needed)."""
    rng = np.random.default_rng(3)
    T, N = 30, 3
    r, v, nv = (rng.normal(size=(T, N)).astype(dtype) for _ in range(3))
    term, trunc = rng.random((T, N)) < 0.1, rng.random((T, N)) < 0.1
    adv, ret = np.empty_like(r), np.empty_like(r)
    _compiled.gae_sweep(dtype(0.9), dtype(0.9 * 0.7), r, v, nv, term, trunc, adv, ret)
    ref = gae_reference(r, v, nv, term, trunc, gamma=0.9, lam=0.7)
    np.testing.assert_array_equal(adv, ref[0])
    np.testing.assert_array_equal(ret, ref[1])
    a, x = rng.random((T, N)).astype(dtype), np.empty_like(r)
    _compiled.general_sweep(a, r, x)
    np.testing.assert_array_equal(x, _scan.backward_loop(a, r))
    _compiled.keep_sweep(dtype(0.5), ~term, r, x)
    np.testing.assert_array_equal(x, _scan.backward_loop(np.where(term, 0, dtype(0.5)).astype(dtype), r))
