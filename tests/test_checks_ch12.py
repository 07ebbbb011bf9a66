"""The chapter 12 self-check passes a correct surrogate gradient and catches the classic mistakes."""

import numpy as np

import gaebook.ppo
from gaebook.checks import check_surrogate_grad


def correct_grad(logp, logp_old, advantages, *, clip):
    rho = np.exp(logp - logp_old)
    bites = ((advantages > 0) & (rho > 1 + clip)) | ((advantages < 0) & (rho < 1 - clip))
    return np.where(bites, 0.0, -rho * advantages / len(rho))


def correct_with_min_of_both_terms(logp, logp_old, advantages, *, clip):
    """The same gradient found differently: which term does the minimum pick?"""
    rho = np.exp(logp - logp_old)
    unclipped = rho * advantages
    clipped = np.clip(rho, 1 - clip, 1 + clip) * advantages
    picks_unclipped = unclipped <= clipped
    return -np.where(picks_unclipped, unclipped, 0.0) / len(rho)


def unclipped_gradient_everywhere(logp, logp_old, advantages, *, clip):
    rho = np.exp(logp - logp_old)
    return -rho * advantages / len(rho)


def zero_whenever_outside_the_trust_region(logp, logp_old, advantages, *, clip):
    rho = np.exp(logp - logp_old)
    return np.where(np.abs(rho - 1) > clip, 0.0, -rho * advantages / len(rho))


def forgets_the_ratio_factor(logp, logp_old, advantages, *, clip):
    rho = np.exp(logp - logp_old)
    bites = ((advantages > 0) & (rho > 1 + clip)) | ((advantages < 0) & (rho < 1 - clip))
    return np.where(bites, 0.0, -advantages / len(rho))  # d rho/d logp is rho, not 1


def sums_instead_of_averaging(logp, logp_old, advantages, *, clip):
    return correct_grad(logp, logp_old, advantages, clip=clip) * len(logp)


def test_library_surrogate_passes_its_own_check():
    assert check_surrogate_grad(gaebook.ppo.clipped_surrogate, quiet=True)


def test_correct_gradients_pass():
    assert check_surrogate_grad(correct_grad, quiet=True)
    assert check_surrogate_grad(correct_with_min_of_both_terms, quiet=True)


def test_unclipped_gradient_is_caught_at_a_clip_case():
    result = check_surrogate_grad(unclipped_gradient_everywhere, quiet=True)
    assert not result and "clip bites" in result.report


def test_zeroing_both_sides_is_caught_where_the_gradient_pushes_back():
    result = check_surrogate_grad(zero_whenever_outside_the_trust_region, quiet=True)
    assert not result and "pushes back" in result.report


def test_missing_ratio_factor_and_sum_are_caught():
    assert not check_surrogate_grad(forgets_the_ratio_factor, quiet=True)
    assert not check_surrogate_grad(sums_instead_of_averaging, quiet=True)


def test_report_names_the_failing_case_and_prints_it(capsys):
    check_surrogate_grad(unclipped_gradient_everywhere)
    out = capsys.readouterr().out
    assert "✗ surrogate gradient" in out and "First failure" in out
