"""The other process of test_channels.py: writes N items of SIZE bytes into a channel, each
carrying its sequence in its first 8 bytes and a checksum in its last 4, then ends it; or,
told to fail, ends it with an error after half of them. Prints how many it sent."""

import asyncio
import sys
import zlib

from commbus import errors
from commbus.channels import ChannelWriter


def item(i: int, size: int) -> bytes:
    body = i.to_bytes(8, "big") + bytes((i + k) % 251 for k in range(max(0, size - 12)))
    return body + zlib.crc32(body).to_bytes(4, "big")


async def main(path: str, n: int, size: int, fail: bool) -> None:
    writer = await ChannelWriter.connect(path)
    for i in range(n):
        if fail and i == n // 2:
            await writer.close(errors.RejectedError("the source failed half-way"))
            print(i, flush=True)
            return
        await writer.send(item(i, size), ts=float(i), content_type="audio/pcm")
    await writer.close()
    print(writer.sent, flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:] == ["fail"]))
