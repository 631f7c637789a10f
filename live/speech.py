"""What the live coach says aloud: the cues and instructions worth speaking, numbered for the page.

The engine already debounces cues (one at a time, none repeated within a few seconds); here the
same words are not said twice within `REPEAT_S`, and praise at most every `PRAISE_EVERY_S`, so a
person holding a stretch well hears the occasional "good", not a stream of it.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

#: The same words are not said again within this many seconds.
REPEAT_S = 8.0
#: Praise is spoken at most this often (seconds); it still shows on the video each time.
PRAISE_EVERY_S = 30.0
#: Items kept for a page that polls late (it only ever speaks the newest).
KEEP = 16


@dataclass(frozen=True)
class SpeechItem:
    """One thing to say: `seq` counts up over the session; `kind` is the cue's kind or
    "instruction", "setup" or "end"."""

    seq: int
    t_s: float
    text: str
    kind: str


class SpeechQueue:
    """Numbered items to speak; the page asks for those after the last it spoke."""

    def __init__(self) -> None:
        self._items: deque[SpeechItem] = deque(maxlen=KEEP)
        self._seq = 0
        self._last_said: dict[str, float] = {}
        self._last_praise = -math.inf

    def add(self, t_s: float, text: str, kind: str) -> SpeechItem | None:
        """Queue `text` unless it was said within REPEAT_S (or is praise within PRAISE_EVERY_S)."""
        text = text.strip()
        if not text:
            return None
        if t_s - self._last_said.get(text, -math.inf) < REPEAT_S:
            return None
        if kind == "praise":
            if t_s - self._last_praise < PRAISE_EVERY_S:
                return None
            self._last_praise = t_s
        self._last_said[text] = t_s
        if len(self._last_said) > 64:  # only the recent past matters
            cutoff = t_s - REPEAT_S
            self._last_said = {k: v for k, v in self._last_said.items() if v >= cutoff}
        self._seq += 1
        item = SpeechItem(self._seq, round(t_s, 2), text, kind)
        self._items.append(item)
        return item

    def after(self, seq: int) -> list[SpeechItem]:
        """Items numbered above `seq`, oldest first."""
        return [i for i in self._items if i.seq > seq]

    @property
    def last_seq(self) -> int:
        return self._seq
