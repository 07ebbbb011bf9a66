r"""Animations that play in the published HTML without a kernel.

A chapter draws frames with celluloid's ``Camera`` and hands the camera to
:func:`animation_html`, which returns the interactive JavaScript player
(play, pause, step, speed) as an ``IPython.display.HTML`` object and closes
the figure so the static last frame is not shown a second time.

Two ready-made displays serve chapter 7 (:ref:`ch07`):
:func:`gae_pass_animation`, the backward pass of GAE for several γ and λ with
the carry :math:`\gamma\lambda \hat A_{t+1}` drawn and reset at a time limit,
and :func:`gae_explorer_html`, a fixed rollout that the page's JavaScript
(``book/_static/gaebook.js``) turns into sliders for γ and λ, no kernel needed.

matplotlib's player links Font Awesome 4 from a CDN for its button icons. The
link is removed: the book's theme already ships Font Awesome 6, which draws
the same icons (``fa-play``, ``fa-step-forward``, …) offline.
"""

from __future__ import annotations

import html as _html
import json
import re

import numpy as np

__all__ = ["animation_html", "gae_pass_animation", "gae_explorer_html"]

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


def _deltas_and_cut(delta, truncated_after):
    from ._validation import as_array, all_finite

    delta = as_array("delta", delta)
    if delta.ndim != 1 or delta.shape[0] < 2 or not np.issubdtype(delta.dtype, np.number):
        raise ValueError(f"delta must be a 1-D array of at least 2 numbers, got shape {delta.shape}")
    delta = delta.astype(float)
    if not all_finite(delta):
        raise ValueError("delta must be finite (no NaN or inf)")
    T = delta.shape[0]
    if truncated_after is not None:
        if isinstance(truncated_after, bool) or not isinstance(truncated_after, (int, np.integer)):
            raise ValueError(f"truncated_after must be an int or None, got {truncated_after!r}")
        if not 0 <= truncated_after <= T - 2:
            raise ValueError(f"truncated_after must lie in [0, {T - 2}], got {truncated_after}")
    return delta, T


def gae_pass_animation(
    delta,
    *,
    truncated_after: int | None = None,
    gammas=(0.9, 0.99),
    lams=(0.0, 0.5, 0.95, 1.0),
    interval: int = 600,
    dpi: int = 64,
):
    r"""The backward pass of GAE, one step per frame, for every (γ, λ) in a grid.

    Each panel shows the TD errors :math:`\delta_t` (grey) and fills in
    :math:`\hat A_t = \delta_t + \gamma\lambda(1-\mathrm{done}_t)\hat A_{t+1}`
    from the last step back; the step written in a frame shows its carry
    :math:`\gamma\lambda \hat A_{t+1}` as a hatched bar stacked on
    :math:`\delta_t`. After ``truncated_after`` a time limit ends the episode
    (dashed line): the carry resets to 0 there. The advantages come from
    :func:`gaebook.gae` with rewards ``delta`` and zero values, so that the TD
    errors are exactly ``delta`` (chapter 7, :ref:`ch07`).

    Args:
        delta: ``[T]`` finite TD errors, ``T >= 2``.
        truncated_after: a step in ``[0, T - 2]`` after which a time limit cuts
            the episode, or ``None``.
        gammas: discounts, one column each.
        lams: λ values (each with a book colour), one row each.
        interval: milliseconds between frames.
        dpi: resolution of the frames (keep pages light).

    Returns:
        ``IPython.display.HTML``, the player of ``T + 1`` frames.
    """
    import matplotlib as mpl
    import matplotlib.pyplot as plt
    from celluloid import Camera

    from .gae import gae
    from .plotting import lambda_color

    delta, T = _deltas_and_cut(delta, truncated_after)
    gammas, lams = [float(g) for g in gammas], [float(lam) for lam in lams]
    if not gammas or not lams:
        raise ValueError("gammas and lams must each hold at least one value")
    colours = {lam: lambda_color(lam) for lam in lams}  # raises for a λ without a book colour
    zeros = np.zeros(T)
    terminated = np.arange(T) == T - 1
    truncated = np.zeros(T, dtype=bool)
    if truncated_after is not None:
        truncated[truncated_after] = True
    adv = {(g, lam): gae(delta, zeros, zeros, terminated, truncated, gamma=g, lam=lam)[0]
           for g in gammas for lam in lams}
    ymax = 1.15 * max(np.abs(delta).max(), max(np.abs(a).max() for a in adv.values()))
    steps = np.arange(T)
    fig, axes = plt.subplots(len(lams), len(gammas), figsize=(3.3 * len(gammas), 1.45 * len(lams) + 0.6),
                             sharex=True, sharey=True, dpi=dpi, squeeze=False)
    camera = Camera(fig)
    for frame in range(T + 1):
        t_now = T - frame  # this frame writes step t_now; steps >= t_now are done
        for (i, lam), (j, g) in ((a, b) for a in enumerate(lams) for b in enumerate(gammas)):
            ax, a = axes[i, j], adv[(g, lam)]
            ax.bar(steps, delta, width=0.8, color="0.78")
            done = steps >= t_now
            ax.bar(steps[done], a[done], width=0.45, color=colours[lam])
            if truncated_after is not None:
                ax.axvline(truncated_after + 0.5, color="0.2", linestyle="--", linewidth=1)
            if frame > 0:
                ends = terminated[t_now] or truncated[t_now]
                carry = 0.0 if ends else g * lam * a[t_now + 1]  # γλ(1 − done_t) Â_{t+1}
                ax.bar([t_now], [carry], bottom=[delta[t_now]], width=0.45, facecolor="none",
                       edgecolor="black", hatch="////", linewidth=1)
                reset = truncated_after is not None and t_now == truncated_after
                note = "carry reset: time limit" if reset else f"carry {carry:+.2f}"
                ax.text(0.99, 0.95, note, transform=ax.transAxes, ha="right", va="top", fontsize=8)
            ax.text(0.01, 0.95, f"γ = {g:g}, λ = {lam:g}", transform=ax.transAxes, va="top", fontsize=8)
            ax.set_ylim(-ymax, ymax)
            ax.tick_params(labelsize=7)
        status = ("start: nothing filled yet" if frame == 0 else
                  f"step t = {t_now}: Âₜ = δₜ + γλ·Âₜ₊₁ (hatched: the carry γλ·Âₜ₊₁)")
        axes[0, 0].text(0.5, 0.005, "grey: TD error δₜ; colour: advantage Âₜ.   " + status,
                        transform=fig.transFigure, ha="center", va="bottom", fontsize=8)
        camera.snap()
    for ax in axes[-1]:
        ax.set_xlabel("time step t", fontsize=8)
    fig.subplots_adjust(left=0.07, right=0.99, top=0.99, bottom=0.1, hspace=0.08, wspace=0.05)
    with mpl.rc_context({"patch.antialiased": False}):  # fewer colours: smaller frames
        return animation_html(camera, fig, interval=interval, max_frames=max(60, T + 1))


def gae_explorer_html(rewards, values, next_values, terminated, *, truncation_step: int,
                      final_value: float, gamma: float = 0.99, lam: float = 0.95):
    """A fixed rollout for the page's γ/λ explorer (``book/_static/gaebook.js``).

    The page recomputes :func:`gaebook.gae` in JavaScript, in the same order of
    operations, whenever the reader moves a slider; a checkbox lets a time
    limit cut the episode after ``truncation_step``, where the bootstrap uses
    ``final_value``, the value of the episode's final observation (chapter 7,
    :ref:`ch07`).

    Args:
        rewards, values, next_values: ``[T]`` finite floats, ``T >= 2``.
        terminated: ``[T]`` booleans (the explorer's episode ends where True).
        truncation_step: in ``[0, T - 2]``, a step that is not terminated.
        final_value: finite, ``V`` of the final observation when truncated.
        gamma, lam: the sliders' starting values, in [0, 1].

    Returns:
        ``IPython.display.HTML``: a ``div.gae-explorer`` holding the rollout as JSON.
    """
    from IPython.display import HTML

    from ._validation import check_rollout, check_unit_interval
    from .plotting import LAMBDA_COLORS

    if np.ndim(rewards) != 1 or np.shape(rewards)[0] < 2:
        raise ValueError(f"rewards must be a 1-D array of at least 2 steps, got shape {np.shape(rewards)}")
    T = np.shape(rewards)[0]
    ro = check_rollout(rewards, values, next_values, terminated, np.zeros(T, dtype=bool), values_required=True)
    rewards, values, next_values = ro.out(ro.rewards), ro.out(ro.values), ro.out(ro.next_values)
    terminated = ro.terminated[:, 0]
    if not np.all(np.isfinite(next_values)):
        raise ValueError("next_values must be finite, also where terminated (the table shows them)")
    if isinstance(truncation_step, bool) or not isinstance(truncation_step, (int, np.integer)):
        raise ValueError(f"truncation_step must be an int, got {truncation_step!r}")
    if not 0 <= truncation_step <= T - 2 or terminated[truncation_step]:
        raise ValueError(f"truncation_step must lie in [0, {T - 2}] on a non-terminated step, got {truncation_step}")
    if not np.isfinite(final_value):
        raise ValueError(f"final_value must be finite, got {final_value!r}")
    data = {
        "rewards": rewards.tolist(),
        "values": values.tolist(),
        "next_values": next_values.tolist(),
        "terminated": terminated.tolist(),
        "truncated": [False] * T,
        "truncation_step": int(truncation_step),
        "final_value": float(final_value),
        "gamma": check_unit_interval("gamma", gamma),
        "lam": check_unit_interval("lam", lam),
        "lambda_colours": {str(k): v for k, v in LAMBDA_COLORS.items()},
    }
    payload = _html.escape(json.dumps(data), quote=True)
    return HTML(
        f'<div class="gae-explorer" data-rollout="{payload}">'
        "<p>The γ/λ explorer runs in the published HTML book (it needs its JavaScript).</p></div>"
    )
