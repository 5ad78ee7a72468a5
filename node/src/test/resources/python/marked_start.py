"""A worker whose start fails while the file named by START_MARKER exists: a cause that goes away."""
import os

MARKER = os.environ["START_MARKER"]
if os.path.exists(MARKER):
    raise RuntimeError(f"start refused while {MARKER} exists")


async def echo(request):
    """Answers with what it was asked."""
    return {"echo": request, "pid": os.getpid()}
