"""An audio-style pipeline in standard-library Python: a tone source, a voice-activity gate, a
resampler, and a sink that checks every packet (docs/pipelines.md, examples/pipeline/README.md).

Frames are 20 ms of 16 kHz mono 16-bit PCM (320 samples, 640 bytes), sent as packets: a
frame number and the CRC-32 of the samples (8 bytes), then the samples. Each node stamps the
items it sends with the time it sent them, and measures how long its input's items took to
reach it: the latency of the hop into it. When its input ends, a node sends its figures on
as one JSON item behind the audio, so the sink's report holds every hop.
"""

from __future__ import annotations

import asyncio
import math
import struct
import time
import zlib
from array import array
from typing import Any, AsyncIterator

from commbus.channels import Item

RATE = 16_000
FRAME_MS = 20
SAMPLES = RATE * FRAME_MS // 1000  # 320
HEADER = struct.Struct(">II")  # frame number, CRC-32 of the samples
PCM = "audio/L16;rate=16000"
PCM_8K = "audio/L16;rate=8000"
#: The tone speaks for 400 ms, then is silent for 200 ms, and again: what the gate tells apart.
VOICED_FRAMES, SILENT_FRAMES = 20, 10


def voiced(number: int) -> bool:
    """Whether frame ``number`` of the source is tone rather than silence."""
    return number % (VOICED_FRAMES + SILENT_FRAMES) < VOICED_FRAMES


def packet(number: int, samples: array) -> bytes:
    pcm = samples.tobytes()
    return HEADER.pack(number, zlib.crc32(pcm)) + pcm


def unpack(data: bytes) -> tuple[int, array]:
    """The frame number and samples of a packet; ValueError when its checksum does not match."""
    number, crc = HEADER.unpack_from(data)
    pcm = bytes(data[HEADER.size:])
    if zlib.crc32(pcm) != crc:
        raise ValueError(f"packet {number} is corrupt: its CRC-32 does not match its samples")
    samples = array("h")
    samples.frombytes(pcm)
    return number, samples


class Hop:
    """The latency of the items into one node: now minus the time the node before sent them."""

    def __init__(self, node: str) -> None:
        self.node = node
        self.millis: list[float] = []

    def arrived(self, item: Item) -> None:
        if item.ts is not None:
            self.millis.append((time.time() - item.ts) * 1000.0)

    def figures(self) -> dict[str, Any]:
        ordered = sorted(self.millis)
        if not ordered:
            return {"node": self.node, "items": 0}
        return {"node": self.node, "items": len(ordered), "p50_ms": round(ordered[len(ordered) // 2], 3),
                "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 3)}


async def tone(config: dict[str, Any]) -> AsyncIterator[Item]:
    """``frames`` frames (default 250: five seconds) of a 440 Hz tone in bursts, one every 20 ms
    when ``realtime`` (the default), else as fast as the pipeline takes them."""
    frames = config.get("frames", 250)
    realtime = config.get("realtime", True)
    step = 2 * math.pi * config.get("hz", 440) / RATE
    start = time.monotonic()
    for number in range(frames):
        loud = 8000 if voiced(number) else 0
        samples = array("h", (int(loud * math.sin(step * (number * SAMPLES + i))) for i in range(SAMPLES)))
        yield Item(packet(number, samples), -1, time.time(), PCM)
        if realtime:
            await asyncio.sleep(max(0.0, start + (number + 1) * FRAME_MS / 1000 - time.monotonic()))


async def gate(frames: AsyncIterator[Item], config: dict[str, Any]) -> AsyncIterator[Item]:
    """Passes the frames whose energy is above ``threshold`` (RMS, default 500); drops silence."""
    threshold = config.get("threshold", 500)
    hop = Hop("gate")
    async for item in frames:
        if not isinstance(item.data, bytes):
            yield Item(item.data, -1, time.time(), item.content_type)  # figures from upstream: passed on
            continue
        hop.arrived(item)
        number, samples = unpack(item.data)
        rms = math.sqrt(sum(s * s for s in samples) / len(samples))
        if rms >= threshold:
            yield Item(item.data, -1, time.time(), item.content_type)
    yield hop.figures()


async def resample(frames: AsyncIterator[Item], config: dict[str, Any]) -> AsyncIterator[Item]:
    """16 kHz to 8 kHz: each pair of samples becomes their mean (a two-tap low-pass, then decimation)."""
    hop = Hop("resample")
    async for item in frames:
        if not isinstance(item.data, bytes):
            yield Item(item.data, -1, time.time(), item.content_type)
            continue
        hop.arrived(item)
        number, samples = unpack(item.data)
        halved = array("h", ((samples[i] + samples[i + 1]) // 2 for i in range(0, len(samples), 2)))
        yield Item(packet(number, halved), -1, time.time(), PCM_8K)
    yield hop.figures()


async def sink(frames: AsyncIterator[Item], config: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
    """Checks each packet (checksum, order, 160 samples) and, at the end, reports: frames
    received, the voiced frames of the source that never came, and every hop's latency."""
    frames_sent = config.get("frames", 250)
    hop = Hop("sink")
    received: list[int] = []
    hops: list[dict[str, Any]] = []
    corrupt = 0
    async for item in frames:
        if not isinstance(item.data, bytes):
            hops.append(item.data)
            continue
        hop.arrived(item)
        try:
            number, samples = unpack(item.data)
        except ValueError:
            corrupt += 1
            continue
        if len(samples) != SAMPLES // 2 or (received and number <= received[-1]):
            corrupt += 1
            continue
        received.append(number)
    expected = [n for n in range(frames_sent) if voiced(n)]
    missing = sorted(set(expected) - set(received))
    yield {"frames": len(received), "voiced": len(expected), "missing": len(missing),
           "missingFrom": missing[0] if missing else None, "corrupt": corrupt,
           "hops": hops + [hop.figures()]}
