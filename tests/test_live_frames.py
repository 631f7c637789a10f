"""WebRTC frames to BGR arrays and back (live/frames.py): the same picture as PyAV's own way."""

from __future__ import annotations

import av
import numpy as np
import pytest

from live.frames import I420, from_bgr, to_bgr


def _picture(height: int, width: int) -> np.ndarray:
    """A smooth colour gradient with a sharp-edged block: what a camera frame looks like."""
    y, x = np.mgrid[0:height, 0:width]
    image = np.stack(
        [x * 255 // max(width - 1, 1), y * 255 // max(height - 1, 1), (x + y) % 256], -1
    )
    image = image.astype(np.uint8)
    image[height // 4 : height // 2, width // 4 : width // 2] = (30, 200, 90)
    return image


def test_a_camera_frame_becomes_the_same_bgr_picture_as_pyavs() -> None:
    frame = av.VideoFrame.from_ndarray(_picture(480, 640), format="bgr24").reformat(format=I420)
    ours, theirs = to_bgr(frame), frame.to_ndarray(format="bgr24")
    assert ours.shape == (480, 640, 3) and ours.dtype == np.uint8
    assert np.abs(ours.astype(int) - theirs).max() <= 3


def test_an_annotated_picture_goes_back_in_the_encoders_own_format() -> None:
    """No reformat is left for the encoder, and the colours survive the round trip."""
    image = _picture(480, 640)
    frame = from_bgr(image)
    assert frame.format.name == I420 and (frame.width, frame.height) == (640, 480)
    back = frame.to_ndarray(format="bgr24").astype(int)
    via_pyav = av.VideoFrame.from_ndarray(image, format="bgr24").reformat(format=I420)
    # as close to the picture as PyAV's own conversion gets, or closer
    assert (
        np.abs(back - image).mean()
        <= np.abs(via_pyav.to_ndarray(format="bgr24") - image.astype(int)).mean() + 0.5
    )


@pytest.mark.parametrize(("height", "width"), [(241, 320), (240, 321)])
def test_an_odd_sized_picture_takes_pyavs_way(height: int, width: int) -> None:
    image = _picture(height, width)
    frame = from_bgr(image)
    assert frame.format.name == "bgr24"
    np.testing.assert_array_equal(to_bgr(frame), image)


def test_a_frame_in_another_format_is_converted_by_pyav() -> None:
    frame = av.VideoFrame.from_ndarray(_picture(240, 320), format="bgr24").reformat(
        format="yuvj420p"
    )
    assert np.abs(to_bgr(frame).astype(int) - frame.to_ndarray(format="bgr24")).max() == 0
