"""Handlers that use Python's ``logging``: the log bridge tests (ChildLoggingTest)."""
import logging
import sys

import commbus

log = logging.getLogger("logging_workers.orders")
logging.getLogger("logging_workers").info("module loaded")  # at import, before ready


def _log_everything(where):
    log.debug("debug %s", where)
    log.info("info %s", where)
    log.warning("warning %s", where)
    log.error("error %s", where)
    log.critical("critical %s", where)
    try:
        raise ValueError(f"bad order {where}")
    except ValueError:
        log.exception("failed %s", where)
    print(f"printed {where}", flush=True)
    print(f"stray stderr {where}", file=sys.stderr, flush=True)
    request = commbus.current_request()
    return {"traceparent": request.traceparent if request else None}


def sync_logs(payload):
    """A sync handler: logs from a worker thread."""
    return _log_everything("sync")


async def async_logs(payload):
    """An async handler: logs from the event loop's thread."""
    return _log_everything("async")
