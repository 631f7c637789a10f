"""Feet on the floor, knee on the floor, back on the bed: the commands a posture implies, and where
the posed body goes in the room.

Key frames give the angles the exercise is about (trunk, the tested hip and knee); the joints that
only hold the body up (the stance foot flat, the front knee of a lunge) are solved here, in the
sagittal plane from segment lengths, so a spec cannot put a foot through the floor.
"""

from __future__ import annotations

import numpy as np

#: Height of the knee joint centre above the floor when kneeling on it (metres, soft tissue).
KNEE_ON_FLOOR_M = 0.055
#: Extra ankle height when standing on the ball of the foot, heel up (metres).
HEEL_UP_M = 0.07
#: Front shank of a standing lunge, degrees behind vertical (knee a little ahead of the ankle).
FRONT_SHANK_DEG = 8.0


def _leg(side: str) -> str:
    return side[0]


def derive(
    placement: str,
    side: str,
    ch: dict[str, np.ndarray],
    thigh_m: float,
    shank_m: float,
    ankle_m: float,
) -> dict[str, np.ndarray]:
    """Channels with the supporting joints solved for `placement` (a new dict)."""
    ch = dict(ch)
    t, o = _leg(side), _leg("left" if side == "right" else "right")
    if placement == "feet":
        # both feet flat on the floor however deep the crouch: each shank's tilt taken off
        for leg in ("l", "r"):
            ch[f"ankle_{leg}"] = -(ch["trunk"] + ch[f"hip_{leg}"] + ch[f"knee_{leg}"])
        return ch
    if placement == "walk":
        return ch  # the key frames set the ankles of a gait; offsets() plants the stance foot
    if placement == "stand":
        # the stance leg is the one nearer vertical: after a side switch the roles swap
        stance_left = np.abs(ch["hip_l"]) <= np.abs(ch["hip_r"])
        for leg, mask in (("l", stance_left), ("r", ~stance_left)):
            flat = -(ch["trunk"] + ch[f"hip_{leg}"] + ch[f"knee_{leg}"])
            ch[f"ankle_{leg}"] = np.where(mask, flat, ch[f"ankle_{leg}"])
        return ch
    if placement == "kneel":
        # the back shin lies on the floor: shank horizontal, pointing backwards
        thigh = ch["trunk"] + ch[f"hip_{t}"]
        ch[f"knee_{t}"] = 92.0 - thigh
        hip_height = thigh_m * np.cos(np.radians(thigh)) + KNEE_ON_FLOOR_M
    elif placement == "lunge":
        thigh = ch["trunk"] + ch[f"hip_{t}"]
        shank = thigh + ch[f"knee_{t}"]
        hip_height = (
            thigh_m * np.cos(np.radians(thigh))
            + shank_m * np.cos(np.radians(shank))
            + ankle_m
            + HEEL_UP_M
        )
    elif placement == "bed":
        return ch
    else:
        raise ValueError(f"unknown placement {placement!r}")
    if placement == "kneel":
        # the front foot reaches the floor, flat: solve the shank for the commanded thigh
        front_thigh = ch["trunk"] + ch[f"hip_{o}"]
        reach = (hip_height - ankle_m - thigh_m * np.cos(np.radians(front_thigh))) / shank_m
        shank = np.degrees(np.arccos(np.clip(reach, -1.0, 1.0)))
    else:
        # a lunge: the front shank stands near vertical, knee a little ahead; solve the thigh
        shank = np.full_like(hip_height, FRONT_SHANK_DEG)
        reach = (hip_height - ankle_m - shank_m * np.cos(np.radians(shank))) / thigh_m
        front_thigh = -np.degrees(np.arccos(np.clip(reach, -1.0, 1.0)))
        ch[f"hip_{o}"] = front_thigh - ch["trunk"]
    ch[f"knee_{o}"] = shank - front_thigh
    ch[f"ankle_{o}"] = -shank
    return ch


def offsets(
    placement: str,
    side: str,
    vertices: np.ndarray,
    joints: dict[str, np.ndarray],
    trunk_mask: np.ndarray,
    bed: dict | None,
) -> np.ndarray:
    """(N, 3) translation per frame putting the posed body on the floor or the bed.

    One support point stays put along the body's axis (the stance ankle, the back knee, the front
    ankle, the hips at the bed's edge), so the person does not slide about the room.
    """
    other = "left" if side == "right" else "right"
    n = vertices.shape[0]
    off = np.zeros((n, 3))
    if placement == "bed":
        if bed is None:
            raise ValueError("placement 'bed' needs a bed")
        off[:, 2] = bed["top_m"] - vertices[:, trunk_mask, 2].min(axis=1)
        hips = (joints["left_hip"] + joints["right_hip"]) / 2
        off[:, 1] = bed["hip_inset_m"] - hips[:, 1]
        return off
    off[:, 2] = -vertices[:, :, 2].min(axis=1)
    if placement == "feet":
        # the feet stay put: the midpoint of the ankles
        off[:, 1] = -(joints["left_ankle"][:, 1] + joints["right_ankle"][:, 1]) / 2
        return off
    if placement == "walk":
        return _walk(joints, off)
    if placement == "stand":
        # the stance ankle stays put; it changes only when the other foot is clearly lower
        lift = joints["left_ankle"][:, 2] - joints["right_ankle"][:, 2]
        stance = np.empty(n, dtype=object)
        current = "left" if lift[0] <= 0 else "right"
        for i in range(n):
            if abs(lift[i]) > 0.02:
                current = "left" if lift[i] < 0 else "right"
            stance[i] = current
        left = stance == "left"
        off[:, 1] = -np.where(left, joints["left_ankle"][:, 1], joints["right_ankle"][:, 1])
        return off
    anchor = {"kneel": f"{side}_knee", "lunge": f"{other}_ankle"}[placement]
    off[:, 1] = -joints[anchor][:, 1]
    return off


#: A walking foot takes over the body's weight when it is this much lower than the other (metres).
STANCE_SWITCH_M = 0.004


def _walk(joints: dict[str, np.ndarray], off: np.ndarray) -> np.ndarray:
    """Offsets that keep the stance foot planted where it landed, so the legs carry the body on.

    The stance foot is the lower ankle (after the floor offset); the other takes over when it is
    lower by `STANCE_SWITCH_M` and moving backwards under the body (+Y: a swing leg still
    reaching forward has not taken the weight yet), and stays where it was from then on. The
    gait goes straight ahead along −Y (the person facing that way, yaw 0).
    """
    z = {s: joints[f"{s}_ankle"][:, 2] + off[:, 2] for s in ("left", "right")}
    y = {s: joints[f"{s}_ankle"][:, 1] for s in ("left", "right")}
    current = "left" if z["left"][0] <= z["right"][0] else "right"
    planted = 0.0  # world y of the stance ankle: 0 where the clip starts
    for i in range(off.shape[0]):
        other = "right" if current == "left" else "left"
        lower = z[other][i] < z[current][i] - STANCE_SWITCH_M
        if i and lower and y[other][i] > y[other][i - 1]:
            # the other foot lands where the previous frame's offset carries it
            current, planted = other, y[other][i] + off[i - 1, 1]
        off[i, 1] = planted - y[current][i]
    return off
