"""Takes ten seconds to import: a node that cannot be ready in time."""

import time

time.sleep(10)


async def tone(config):
    yield b""
