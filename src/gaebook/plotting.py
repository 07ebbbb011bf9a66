"""The book's figure style: one palette, one line width, one look.

Every chapter calls :func:`use_book_style` once. Colours come from the
Okabe–Ito palette, which stays distinguishable for the common forms of colour
blindness. :func:`lambda_color` gives each value of λ the same colour in every
figure of the book.
"""

from __future__ import annotations

import matplotlib as mpl

__all__ = ["OKABE_ITO", "LAMBDA_COLORS", "use_book_style", "lambda_color"]

#: Okabe & Ito (2008) colour-blind-safe palette, black left out.
OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
)

#: The colour of each λ used anywhere in the book.
LAMBDA_COLORS = {
    0.0: "#D55E00",
    0.4: "#999999",
    0.5: "#E69F00",
    0.8: "#F0E442",
    0.9: "#009E73",
    0.95: "#0072B2",
    0.97: "#56B4E9",
    0.975: "#882255",
    0.99: "#CC79A7",
    1.0: "#000000",
}


def lambda_color(lam: float) -> str:
    """Colour of ``lam`` in every figure; raises ``ValueError`` for a λ the book does not plot."""
    for key, colour in LAMBDA_COLORS.items():
        if abs(key - float(lam)) < 1e-9:
            return colour
    raise ValueError(f"lam={lam!r} has no book colour; use one of {sorted(LAMBDA_COLORS)}")


def use_book_style() -> None:
    """Set matplotlib defaults for the book: line width 2, palette, light grid, modest dpi."""
    mpl.rcParams.update(
        {
            "axes.prop_cycle": mpl.cycler(color=list(OKABE_ITO)),
            "lines.linewidth": 2.0,
            "figure.figsize": (6.4, 3.6),
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "font.size": 11,
            "legend.frameon": False,
            "animation.embed_limit": 8.0,  # MB; animations are kept far below this
        }
    )
