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
