"""Chapter 16's errata as regression tests: every published slip must keep failing.

Each entry of ``gaebook.errata.ERRATA`` pairs the published (wrong) version
with a fix and the library's reference. If a change to the library made the
reference agree with a published slip, ``test_published_version_disagrees``
fails; if it broke the reference, ``test_fix_agrees_with_the_library`` fails.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gaebook import errata
from gaebook.errata import ERRATA, Erratum, run_erratum

KEYS = [e.key for e in ERRATA]


def test_at_least_fourteen_entries_in_three_groups():
    assert len(ERRATA) >= 14
    assert len(set(KEYS)) == len(KEYS)
    assert {e.group for e in ERRATA} == {"derivation", "implementation", "folklore"}


@pytest.mark.parametrize("entry", ERRATA, ids=KEYS)
def test_published_version_disagrees(entry):
    rng = np.random.default_rng(sum(map(ord, entry.key)))
    gaps = [run_erratum(entry, rng).relative_gap for _ in range(40)]
    assert np.mean(np.array(gaps) > 1e-9) >= 0.95, gaps


@pytest.mark.parametrize("entry", ERRATA, ids=KEYS)
def test_fix_agrees_with_the_library(entry):
    rng = np.random.default_rng(1 + sum(map(ord, entry.key)))
    for _ in range(40):
        result = run_erratum(entry, rng)
        assert result.fixed_error <= 1e-12 * max(1.0, result.scale)


def test_every_reference_is_library_code_not_the_fix():
    # a reference equal to the fix would make test_fix_agrees_with_the_library vacuous
    for entry in ERRATA:
        assert entry.reference is not entry.fixed, entry.key
        assert entry.reference is not entry.wrong, entry.key


def test_roll_three_token_example_reproduces_the_report():
    from gaebook import gae

    r, v = np.array([0.0, 1.0, 0.0]), np.array([0.0, 0.0, 100.0])
    unmasked, _ = gae(r, v, np.append(v[1:], 0.0), np.array([False, False, True]),
                      np.zeros(3, bool), gamma=1.0, lam=0.95)
    np.testing.assert_allclose(unmasked[:2], [5.699999809265137, 6.0], atol=1e-6)


def test_done_conventions_agree_alone_and_disagree_mixed():
    rng = np.random.default_rng(11)
    case = errata.random_segment(rng, 30, p_terminal=0.2)
    ref = errata.ref_gae_terminal_only(case)
    pure = errata.purejaxrl_style_gae(case["rewards"], case["values"], case["next_values"][-1],
                                      case["terminated"], gamma=case["gamma"], lam=case["lam"])
    np.testing.assert_allclose(pure, ref, atol=1e-12)
    np.testing.assert_allclose(errata.fixed_cleanrl_alignment(case), ref, atol=1e-12)
    assert np.max(np.abs(errata.wrong_mixed_done_alignment(case) - ref)) > 1e-6


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 6), b=st.floats(-10, 10))
def test_baseline_keeps_the_mean_and_changes_the_variance(seed, n, b):
    rng = np.random.default_rng(seed)
    logits, rewards = rng.normal(size=n), rng.normal(size=n)
    m0, v0 = errata.baseline_moments(logits, rewards, 0.0)
    mb, vb = errata.baseline_moments(logits, rewards, b)
    np.testing.assert_allclose(m0, mb, atol=1e-12)
    if abs(b) > 1e-3:
        assert abs(v0 - vb) > 0


def test_bad_input_is_refused_by_name():
    with pytest.raises(ValueError, match="erratum"):
        run_erratum("nstep-bootstrap", np.random.default_rng(0))
    with pytest.raises(ValueError, match="rng"):
        run_erratum(ERRATA[0], 0)
    with pytest.raises(ValueError, match="logits"):
        errata.baseline_moments([1.0], [1.0], 0.0)
    with pytest.raises(ValueError, match="rewards"):
        errata.baseline_moments([1.0, 2.0], [1.0, np.nan], 0.0)
    with pytest.raises(ValueError, match="baseline"):
        errata.baseline_moments([1.0, 2.0], [1.0, 2.0], np.inf)
    with pytest.raises(ValueError, match="T"):
        errata.random_segment(np.random.default_rng(0), 1)
    assert isinstance(ERRATA[0], Erratum)
