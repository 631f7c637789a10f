"""A small drawn picture of where to put the camera: from above (side-on, 2–3 m, the working leg
nearer the camera) and from the side (at hip or bed height), for the exercise's posture.

Plain SVG made here (nothing downloaded); the words come from `outputs.presenter`.
"""

from __future__ import annotations

from html import escape

from outputs import presenter as say

INK, LEG, CAM, DIM = "#444", "#e8710a", "#1a73e8", "#888"


def _text(x: float, y: float, words: str, size: int = 11, anchor: str = "middle") -> str:
    return (
        f'<text x="{x}" y="{y}" font-size="{size}" text-anchor="{anchor}" '
        f'font-family="sans-serif" fill="{INK}">{escape(words)}</text>'
    )


def _camera(x: float, y: float, facing: str, floor: float | None = None) -> str:
    """A camera body with its lens towards `facing` ("up" or "left"); on a tripod to `floor`."""
    if facing == "up":
        return (
            f'<rect x="{x - 12}" y="{y - 7}" width="24" height="14" rx="3" fill="{CAM}"/>'
            f'<rect x="{x - 5}" y="{y - 12}" width="10" height="6" fill="{CAM}"/>'
        )
    legs = ""
    if floor is not None:
        legs = (
            f'<line x1="{x}" y1="{y + 8}" x2="{x - 9}" y2="{floor}" stroke="{INK}"/>'
            f'<line x1="{x}" y1="{y + 8}" x2="{x + 9}" y2="{floor}" stroke="{INK}"/>'
        )
    return (
        f'<rect x="{x - 8}" y="{y - 8}" width="22" height="16" rx="3" fill="{CAM}"/>'
        f'<rect x="{x - 15}" y="{y - 4}" width="7" height="8" fill="{CAM}"/>{legs}'
    )


def _from_above(lying: bool) -> str:
    """Plan view: the person side-on to the camera, the leg nearer the camera in colour."""
    parts: list[str] = []
    cx, cy = 95, 50
    if lying:
        # lying across the picture, head left, legs right: the near leg at the bottom
        parts.append(
            f'<ellipse cx="{cx - 30}" cy="{cy}" rx="30" ry="13" fill="#ddd" stroke="{INK}"/>'
        )
        parts.append(f'<circle cx="{cx - 68}" cy="{cy}" r="8" fill="#ddd" stroke="{INK}"/>')
        parts.append(
            f'<line x1="{cx}" y1="{cy - 6}" x2="{cx + 55}" y2="{cy - 6}" stroke="{INK}" stroke-width="6"/>'
        )
        parts.append(
            f'<line x1="{cx}" y1="{cy + 6}" x2="{cx + 55}" y2="{cy + 6}" stroke="{LEG}" stroke-width="6"/>'
        )
        label_x, label_y, anchor = cx + 58, cy + 24, "end"
    else:
        # standing, seen from above: shoulders across the camera's view, the near leg in colour
        parts.append(f'<ellipse cx="{cx}" cy="{cy}" rx="10" ry="24" fill="#ddd" stroke="{INK}"/>')
        parts.append(f'<circle cx="{cx + 4}" cy="{cy}" r="7" fill="#ccc" stroke="{INK}"/>')
        parts.append(f'<circle cx="{cx - 4}" cy="{cy + 12}" r="5" fill="{LEG}"/>')
        parts.append(
            f'<path d="M{cx + 16} {cy} l10 0 m-4 -4 l4 4 l-4 4" stroke="{INK}" fill="none"/>'
        )
        label_x, label_y, anchor = cx - 16, cy + 36, "end"
    cam_y = 150
    parts.append(_camera(cx, cam_y, "up"))
    parts.append(
        f'<path d="M{cx} {cam_y - 12} L{cx - 45} {cy + 30} M{cx} {cam_y - 12} L{cx + 45} {cy + 30}" '
        f'stroke="{CAM}" stroke-dasharray="4 3" fill="none"/>'
    )
    parts.append(
        f'<line x1="{cx + 66}" y1="{cy + 14}" x2="{cx + 66}" y2="{cam_y - 4}" stroke="{DIM}" '
        'marker-start="url(#arrow)" marker-end="url(#arrow)"/>'
    )
    parts.append(
        _text(cx + 70, (cy + cam_y) / 2 + 4, say.CAMERA_PICTURE_WORDS["distance"], 11, "start")
    )
    parts.append(_text(cx, cam_y + 22, say.CAMERA_PICTURE_WORDS["camera"]))
    first, _, rest = say.CAMERA_PICTURE_WORDS["near_leg"].partition(" nearer")
    parts.append(_text(label_x, label_y, first, 10, anchor))
    parts.append(_text(label_x, label_y + 12, f"nearer{rest}", 10, anchor))
    return "".join(parts)


def _from_side(posture: str) -> str:
    """Elevation, looking at the person's front (for lying: from the foot of the bed): the camera
    beside them at hip height (standing, kneeling) or bed height (lying), aimed at the hip."""
    floor = 160
    parts = [f'<line x1="0" y1="{floor}" x2="200" y2="{floor}" stroke="{INK}"/>']
    x = 70
    if posture == "lying":
        bed = 112
        parts.append(
            f'<rect x="{x - 50}" y="{bed}" width="100" height="12" fill="#eee" stroke="{INK}"/>'
        )
        parts.append(
            f'<line x1="{x - 45}" y1="{bed + 12}" x2="{x - 45}" y2="{floor}" stroke="{INK}"/>'
        )
        parts.append(
            f'<line x1="{x + 45}" y1="{bed + 12}" x2="{x + 45}" y2="{floor}" stroke="{INK}"/>'
        )
        parts.append(
            f'<ellipse cx="{x}" cy="{bed - 10}" rx="28" ry="10" fill="#ddd" stroke="{INK}"/>'
        )
        parts.append(
            f'<line x1="{x + 14}" y1="{bed}" x2="{x + 14}" y2="{floor - 10}" stroke="{LEG}" stroke-width="6"/>'
        )
        hip_y = bed - 10
        words = say.CAMERA_PICTURE_WORDS["height_lying"]
    else:
        hip_y = 112 if posture == "kneeling" else 100
        head = hip_y - 62
        parts.append(f'<circle cx="{x}" cy="{head}" r="8" fill="#ddd" stroke="{INK}"/>')
        parts.append(
            f'<line x1="{x - 16}" y1="{head + 14}" x2="{x + 16}" y2="{head + 14}" stroke="{INK}" stroke-width="6"/>'
        )
        parts.append(
            f'<rect x="{x - 9}" y="{head + 12}" width="18" height="{hip_y - head - 12}" fill="{INK}"/>'
        )
        # kneeling seen from the front: the front (far) leg bent, foot flat; the back knee down
        far = (
            f"{x - 16},{hip_y + 14} {x - 16},{floor - 2}"
            if posture == "kneeling"
            else f"{x - 12},{floor - 2}"
        )
        parts.append(
            f'<polyline points="{x - 6},{hip_y} {far}" stroke="{INK}" stroke-width="6" fill="none"/>'
        )
        parts.append(
            f'<line x1="{x + 6}" y1="{hip_y}" x2="{x + 12}" y2="{floor - 2}" stroke="{LEG}" stroke-width="6"/>'
        )
        words = say.CAMERA_PICTURE_WORDS["height_standing"]
    cam_x = 178
    parts.append(_camera(cam_x, hip_y, "left", floor))
    parts.append(
        f'<line x1="{cam_x - 16}" y1="{hip_y}" x2="{x + 22}" y2="{hip_y}" stroke="{CAM}" stroke-dasharray="4 3"/>'
    )
    parts.append(_text(cam_x + 12, hip_y - 16, words, 11, "end"))
    return "".join(parts)


def camera_picture_svg(posture: str) -> str:
    """The picture for a posture ("standing", "kneeling" or "lying"), as an SVG element."""
    lying = posture == "lying"
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 430 190" width="100%" '
        'role="img" style="max-width:430px">'
        f"<title>{escape(say.CAMERA_PICTURE_WORDS['side_on'])}</title>"
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="6" '
        f'markerHeight="6" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" fill="{DIM}"/>'
        "</marker></defs>"
        f'<rect x="1" y="1" width="428" height="188" rx="8" fill="#fafafa" stroke="#ddd"/>'
        f'<g transform="translate(10,10)">{_from_above(lying)}</g>'
        f'<g transform="translate(220,10)">{_from_side(posture)}</g>'
        "</svg>"
    )
