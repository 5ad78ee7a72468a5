"""A worker module that cannot be imported: the handshake must report it with the traceback."""
raise RuntimeError("configuration file trading.toml is missing")
