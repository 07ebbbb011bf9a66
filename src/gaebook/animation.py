"""Animations that play in the published HTML without a kernel.

A chapter draws frames with celluloid's ``Camera`` and hands the camera to
:func:`animation_html`, which returns the interactive JavaScript player
(play, pause, step, speed) as an ``IPython.display.HTML`` object and closes
the figure so the static last frame is not shown a second time.

matplotlib's player links Font Awesome 4 from a CDN for its button icons. The
link is removed: the book's theme already ships Font Awesome 6, which draws
the same icons (``fa-play``, ``fa-step-forward``, …) offline.
"""

from __future__ import annotations

import re

__all__ = ["animation_html"]

_CDN_STYLESHEET = re.compile(r"<link[^>]*font-awesome[^>]*>", flags=re.S)


def animation_html(camera, fig, *, interval: int = 200, max_frames: int = 60):
    """Turn a celluloid ``Camera`` into an embedded JavaScript player.

    Args:
        camera: a ``celluloid.Camera`` on which ``snap()`` was called once per frame.
        fig: the matplotlib figure the camera draws on; closed afterwards.
        interval: milliseconds between frames when playing.
        max_frames: refuse more frames than this, to keep pages light.

    Returns:
        ``IPython.display.HTML`` holding the player.
    """
    import matplotlib.pyplot as plt
    from IPython.display import HTML

    n_frames = len(getattr(camera, "_photos", []))
    if n_frames == 0:
        raise ValueError("camera has no frames: call camera.snap() once per frame first")
    if n_frames > max_frames:
        raise ValueError(f"camera has {n_frames} frames, more than max_frames={max_frames}")
    if not isinstance(interval, int) or interval <= 0:
        raise ValueError(f"interval must be a positive integer (milliseconds), got {interval!r}")
    anim = camera.animate(interval=interval, blit=False, repeat=True)
    html = HTML(_CDN_STYLESHEET.sub("", anim.to_jshtml(default_mode="once")))
    plt.close(fig)
    return html
