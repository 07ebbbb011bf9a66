"""The book's palettes: one colour per λ, a separate style for everything else."""

from __future__ import annotations

import matplotlib.colors as mcolors
import pytest

from gaebook.plotting import LAMBDA_COLORS, METHOD_STYLES, lambda_color, method_style


def _luminance(hex_colour: str) -> float:
    r, g, b = mcolors.to_rgb(hex_colour)

    def lin(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def test_every_lambda_colour_is_legible_on_white():
    # WCAG contrast ratio against white. Okabe-Ito's yellow #F0E442 (about
    # 1.3:1) vanished on the page; its orange and sky blue (about 2.3:1) read
    # well as 2 px lines, so 2.2:1 is the floor.
    assert 1.05 / (_luminance("#F0E442") + 0.05) < 2.2
    for lam, colour in LAMBDA_COLORS.items():
        assert 1.05 / (_luminance(colour) + 0.05) >= 2.2, (lam, colour)


def test_lambda_colours_are_distinct_and_reserved():
    colours = list(LAMBDA_COLORS.values())
    assert len(set(colours)) == len(colours)
    method_colours = {style["color"] for style in METHOD_STYLES}
    assert not method_colours & set(colours)


def test_method_styles_are_never_solid():
    assert all(style["linestyle"] != "-" for style in METHOD_STYLES)


def test_lookup_errors_name_the_argument():
    with pytest.raises(ValueError, match="lam"):
        lambda_color(0.123)
    with pytest.raises(ValueError, match="index"):
        method_style(len(METHOD_STYLES))
    with pytest.raises(ValueError, match="index"):
        method_style(True)
    assert method_style(0) == METHOD_STYLES[0] and method_style(0) is not METHOD_STYLES[0]
