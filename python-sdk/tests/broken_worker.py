"""An entry module whose import fails (imported by the child process)."""

raise ImportError("the broken worker cannot start")
