"""WebRTC video frames to BGR arrays and back, converted by OpenCV instead of PyAV's swscale.

Camera frames arrive as YUV 4:2:0 (what VP8 and H.264 decode to) and the encoder wants YUV 4:2:0
back. PyAV's `to_ndarray(format="bgr24")` and a `bgr24` frame that the encoder then reformats
cost 0.5 and 2.2 ms a frame at 640×480 on a 2-core machine; OpenCV's I420 conversions cost 0.23
and 0.27 ms (`benchmarks/bench_live.py --profile`), with the same BT.601 limited-range colours
(PyAV's and OpenCV's decoded pixels differ by at most 3 of 255). Frames in any other format, or
with an odd width or height (which I420 cannot hold), take PyAV's way.
"""

from __future__ import annotations

import av
import cv2
import numpy as np

#: The one pixel format converted here (limited-range BT.601, as WebRTC's decoders give it).
I420 = "yuv420p"


def _even(width: int, height: int) -> bool:
    return width % 2 == 0 and height % 2 == 0


def to_bgr(frame: av.VideoFrame) -> np.ndarray:
    """The frame as an (H, W, 3) BGR uint8 array."""
    if frame.format.name == I420 and _even(frame.width, frame.height):
        return cv2.cvtColor(frame.to_ndarray(), cv2.COLOR_YUV2BGR_I420)
    return frame.to_ndarray(format="bgr24")


def from_bgr(image: np.ndarray) -> av.VideoFrame:
    """A frame of the (H, W, 3) BGR uint8 array, in the encoder's own YUV 4:2:0 where it can be."""
    height, width = image.shape[:2]
    if _even(width, height):
        return av.VideoFrame.from_ndarray(cv2.cvtColor(image, cv2.COLOR_BGR2YUV_I420), format=I420)
    return av.VideoFrame.from_ndarray(image, format="bgr24")
