"""The animation helper: an offline JavaScript player, validated input, figure closed."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from celluloid import Camera  # noqa: E402

from gaebook.animation import animation_html  # noqa: E402


def camera_with_frames(n):
    fig, ax = plt.subplots(figsize=(2, 1.5), dpi=40)
    camera = Camera(fig)
    x = np.linspace(0, 1, 10)
    for k in range(n):
        ax.plot(x, x * k, color="C0")
        camera.snap()
    return fig, camera


def test_player_has_every_frame_and_no_cdn_link():
    fig, camera = camera_with_frames(3)
    html = animation_html(camera, fig).data
    assert "_anim_img" in html and "next_frame" in html
    assert html.count("data:image/png;base64") >= 3 or html.count("frames[") >= 3
    assert "maxcdn" not in html and "font-awesome" not in html
    assert "fa-play" in html  # icons come from the theme's Font Awesome 6


def test_figure_is_closed_after_rendering():
    fig, camera = camera_with_frames(2)
    animation_html(camera, fig)
    assert not plt.fignum_exists(fig.number)


def test_empty_camera_is_refused():
    fig, camera = camera_with_frames(0)
    with pytest.raises(ValueError, match="^camera"):
        animation_html(camera, fig)
    plt.close(fig)


def test_too_many_frames_are_refused():
    fig, camera = camera_with_frames(4)
    with pytest.raises(ValueError, match="^camera has 4 frames"):
        animation_html(camera, fig, max_frames=3)
    plt.close(fig)


@pytest.mark.parametrize("interval", [0, -5, 2.5, "fast"])
def test_bad_interval_is_refused(interval):
    fig, camera = camera_with_frames(2)
    with pytest.raises(ValueError, match="^interval"):
        animation_html(camera, fig, interval=interval)
    plt.close(fig)


# --------------------------------------------------------------------------- chapter 7's displays
from gaebook.animation import gae_explorer_html, gae_pass_animation  # noqa: E402


def test_backward_pass_animation_has_one_frame_per_step_plus_the_start():
    delta = np.array([0.5, -1.0, 0.25, 2.0])
    html = gae_pass_animation(delta, truncated_after=1, gammas=(0.9,), lams=(0.0, 1.0), dpi=30).data
    assert html.count("frames[") >= len(delta) + 1 and "_anim_img" in html


@pytest.mark.parametrize("cut", [-1, 3, 2.0, True])
def test_backward_pass_animation_refuses_a_cut_outside_the_rollout(cut):
    with pytest.raises(ValueError, match="^truncated_after"):
        gae_pass_animation(np.zeros(4), truncated_after=cut)


def test_backward_pass_animation_refuses_a_lambda_without_a_book_colour():
    with pytest.raises(ValueError, match="^lam=0.3"):
        gae_pass_animation(np.zeros(3), lams=(0.3,))


@pytest.mark.parametrize("delta", [np.array([1.0]), np.array([1.0, np.nan]), np.zeros((2, 2))])
def test_backward_pass_animation_refuses_bad_deltas(delta):
    with pytest.raises(ValueError, match="^delta"):
        gae_pass_animation(delta)


def explorer_data(html: str) -> dict:
    import html as html_lib
    import json
    import re

    return json.loads(html_lib.unescape(re.search(r'data-rollout="([^"]*)"', html).group(1)))


def test_explorer_carries_the_rollout_exactly():
    rng = np.random.default_rng(0)
    r, v = rng.normal(size=5), rng.normal(size=5)
    nv, term = np.append(v[1:], 0.0), np.arange(5) == 4
    data = explorer_data(gae_explorer_html(r, v, nv, term, truncation_step=2, final_value=0.25).data)
    assert data["rewards"] == r.tolist() and data["values"] == v.tolist()  # floats survive JSON exactly
    assert data["next_values"] == nv.tolist() and data["terminated"] == term.tolist()
    assert data["truncation_step"] == 2 and data["final_value"] == 0.25


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(truncation_step=4), "^truncation_step"),  # the last step
        (dict(truncation_step=-1), "^truncation_step"),
        (dict(final_value=float("nan")), "^final_value"),
        (dict(gamma=1.5), "^gamma"),
        (dict(lam=-0.1), "^lam"),
    ],
)
def test_explorer_refuses_bad_settings(kwargs, name):
    args = dict(truncation_step=1, final_value=0.0)
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        gae_explorer_html(np.zeros(5), np.zeros(5), np.zeros(5), np.arange(5) == 4, **args)
