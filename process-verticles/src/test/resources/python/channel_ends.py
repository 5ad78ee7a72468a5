"""The Python end of ChannelEndsTest: ``write PATH N`` writes N JSON items {"i": i} and ends
the channel; ``read PATH CAPACITY`` reads a channel to its end and prints the count and the
sum of the first 8 bytes of each raw item, as big-endian numbers."""

import asyncio
import sys

from commbus.channels import ChannelReader, ChannelWriter


async def write(path: str, n: int) -> None:
    async with await ChannelWriter.connect(path) as writer:
        for i in range(n):
            await writer.send({"i": i}, ts=float(i), content_type="application/json")


async def read(path: str, capacity: int) -> None:
    count = total = 0
    async with await ChannelReader.listen(path, capacity) as reader:
        print("listening", flush=True)
        async for item in reader:
            assert item.seq == count, (item.seq, count)
            total += int.from_bytes(bytes(item.data)[:8], "big")
            count += 1
    print(f"{count} {total}", flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "write":
        asyncio.run(write(sys.argv[2], int(sys.argv[3])))
    else:
        asyncio.run(read(sys.argv[2], int(sys.argv[3])))
