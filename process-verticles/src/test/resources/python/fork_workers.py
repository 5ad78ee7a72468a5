"""Handlers for the fork-mode tests (ForkModeTest): the module notes each import in a file."""
import asyncio
import os
import time

IMPORT_PID = os.getpid()
if os.environ.get("IMPORTS_FILE"):
    with open(os.environ["IMPORTS_FILE"], "a") as imports:
        imports.write(f"{IMPORT_PID}\n")
time.sleep(float(os.environ.get("IMPORT_SECONDS", "0")))  # a module slow to import, as numpy or a model is
if os.environ.get("FAIL_IMPORT"):
    raise RuntimeError("the model file is missing")


async def where(payload):
    """Says which process answered, and which one imported the module."""
    if payload.get("say"):
        print(payload["say"], flush=True)
    await asyncio.sleep(payload.get("hold", 0))
    return {"pid": os.getpid(), "ppid": os.getppid(), "importedBy": IMPORT_PID,
            "child": os.environ["COMMBUS_CHILD_ID"]}
