"""The book's figure style: one palette, one line width, one look.

Every chapter calls :func:`use_book_style` once. Colours come from the
Okabe–Ito palette, which stays distinguishable for the common forms of colour
blindness. :func:`lambda_color` gives each value of λ the same colour in every
figure of the book; those colours are reserved for λ.

Curves that are not indexed by λ (critics, methods, estimators) use
:func:`method_style`: a second palette (Paul Tol's "muted" colours) *and* a
dashed or dotted line style, so they cannot be mistaken for a λ curve.
"""

from __future__ import annotations

import matplotlib as mpl

__all__ = [
    "OKABE_ITO",
    "LAMBDA_COLORS",
    "METHOD_STYLES",
    "use_book_style",
    "lambda_color",
    "method_style",
]

#: Okabe & Ito (2008) colour-blind-safe palette, black left out.
OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#997700",  # dark yellow (Tol); Okabe-Ito's #F0E442 is too faint on white
)

#: The colour of each λ used anywhere in the book.
LAMBDA_COLORS = {
    0.0: "#D55E00",
    0.4: "#999999",
    0.5: "#E69F00",
    0.8: "#997700",
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


#: Colour and line style of the i-th non-λ curve in a figure (critics, methods).
#: Paul Tol's "muted" palette, without the wine shade that λ = 0.975 uses.
METHOD_STYLES = (
    {"color": "#332288", "linestyle": "--"},  # indigo
    {"color": "#44AA99", "linestyle": "-."},  # teal
    {"color": "#CC6677", "linestyle": ":"},   # rose
    {"color": "#999933", "linestyle": "--"},  # olive
    {"color": "#AA4499", "linestyle": "-."},  # purple
    {"color": "#88CCEE", "linestyle": ":"},   # cyan
    {"color": "#117733", "linestyle": (0, (5, 1, 1, 1))},  # green, dash-dot-dot
)


def method_style(index: int) -> dict:
    """Colour and line style (``plot(..., **method_style(i))``) of the ``index``-th non-λ curve.

    Use it for curves that stand for critics, methods or estimators, so the λ
    colours keep one meaning across the book. Raises ``ValueError`` past the
    palette's end: a figure with more curves than that needs another design.
    """
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(METHOD_STYLES):
        raise ValueError(f"index must be an int in [0, {len(METHOD_STYLES) - 1}], got {index!r}")
    return dict(METHOD_STYLES[index])


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
