"""A worker module that cannot be imported: the handshake must report it with the traceback."""


class ConfigMissing(RuntimeError):
    """An exception of the module's own: the failure names it by its qualified name."""


raise ConfigMissing("configuration file trading.toml is missing")
