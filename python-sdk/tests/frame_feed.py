"""The SDK's frame decoder fed with bytes, for tests that have bytes rather than a socket."""

from __future__ import annotations

from commbus.frames import DEFAULT_MAX_FRAME, Frame, FrameReader


class FrameFeed:
    """``FrameReader`` fed the way the event loop feeds it: each ``feed`` is copied into the
    reader's buffer as the socket would read it, in as many reads as it takes."""

    def __init__(self, max_frame: int = DEFAULT_MAX_FRAME) -> None:
        self.reader = FrameReader(max_frame)

    @property
    def buffered(self) -> int:
        """Bytes of an incomplete frame held back for the next ``feed``."""
        return self.reader.buffered

    def feed(self, data: bytes | bytearray | memoryview) -> list[Frame]:
        """Reads ``data`` and returns every frame it completes, in order."""
        data = bytes(data)
        decoded: list[Frame] = []
        while True:
            view = self.reader.get_buffer()
            k = min(len(view), len(data))
            view[:k] = data[:k]
            decoded += self.reader.received(k)
            data = data[k:]
            if not data:
                return decoded
