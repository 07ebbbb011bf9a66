"""The chapter 15 and 16 self-checks pass correct answers and name the failing case of wrong ones."""

import numpy as np
import pytest

from gaebook.checks import check_done_flags, check_scan


def doubling_scan(a, b):
    a, b = np.array(a, dtype=float), np.array(b, dtype=float)
    T, d = a.shape[0], 1
    while d < T:
        # compose (a_t, b_t) with the pair d steps later: x_t = b_t + a_t (b_{t+d} + a_{t+d} ...)
        b[: T - d] = b[: T - d] + a[: T - d] * b[d:]
        a[: T - d] = a[: T - d] * a[d:]
        a[T - d:] = 0.0  # beyond the rollout x is 0: nothing left to carry
        d *= 2
    return b


def loop(a, b):
    x = np.array(b, dtype=float)
    for t in range(len(x) - 2, -1, -1):
        x[t] = x[t] + a[t] * x[t + 1]
    return x


def forward_instead_of_backward(a, b):
    x = np.array(b, dtype=float)
    for t in range(1, len(x)):
        x[t] = x[t] + a[t] * x[t - 1]
    return x


def ignores_a(a, b):
    return np.cumsum(np.asarray(b, float)[::-1], axis=0)[::-1]


def test_scan_check_passes_a_doubling_scan_and_the_loop():
    assert check_scan(doubling_scan, quiet=True)
    assert check_scan(loop, quiet=True)


@pytest.mark.parametrize("wrong", [forward_instead_of_backward, ignores_a])
def test_scan_check_names_the_failing_case(wrong):
    result = check_scan(wrong, quiet=True)
    assert not result and "First failure" in result.report and "case" in result.report


def test_scan_check_reraises_an_open_scaffold():
    def stub(a, b):
        raise NotImplementedError

    with pytest.raises(NotImplementedError):
        check_scan(stub, quiet=True)


def shift_back(dones, next_done):
    return np.append(np.asarray(dones, bool)[1:], bool(next_done))


def no_shift(dones, next_done):
    return np.asarray(dones, bool)


def drops_next_done(dones, next_done):
    return np.append(np.asarray(dones, bool)[1:], False)


def test_flags_check_passes_the_shift():
    assert check_done_flags(shift_back, quiet=True)


@pytest.mark.parametrize("wrong", [no_shift, drops_next_done])
def test_flags_check_catches_misalignment(wrong):
    result = check_done_flags(wrong, quiet=True)
    assert not result and "First failure" in result.report
