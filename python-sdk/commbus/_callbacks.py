"""``commbus.market.MarketData(payload)``: callback paths as attributes.

Any path ``module.Type`` is an attribute chain below the ``commbus`` module:
``commbus.market.MarketData`` is the callable for ``"market.MarketData"``. Calling it starts a
``callback`` call and returns the stream of its answer. A callback needs no declaration on
this side: its handler may be registered on any node of the bus, before or after this child
started, and the call finds it (or fails with ``NoHandlerError`` naming the path).

The paths the parent lists in ``welcome`` (``callbacks``: the node's own callback handlers and
those a pool names) are what ``dir()`` shows and what an error names as known.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ._protocol import DEFAULT_WINDOW
from ._streams import ItemStream

__all__ = ["CallbackHandle", "CallbackNamespace", "CallbackTree"]

Opener = Callable[[str, Any, "float | None", int], ItemStream[Any]]


class CallbackHandle:
    """One callback path, callable: ``handle(payload)`` streams the callback's answer."""

    __slots__ = ("path", "_open")

    def __init__(self, path: str, opener: Opener) -> None:
        self.path = path
        self._open = opener

    def __call__(self, payload: Any = None, *, timeout: float | None = None, window: int = DEFAULT_WINDOW) -> ItemStream[Any]:
        """Starts the callback and returns the async iterator over its items."""
        return self._open(self.path, payload, timeout, window)

    def __repr__(self) -> str:
        return f"<commbus callback {self.path}>"


class CallbackNamespace:
    """A level of callback paths, e.g. ``commbus.market`` for ``market.MarketData``."""

    __slots__ = ("_prefix", "_children", "_tree")

    def __init__(self, prefix: str, tree: CallbackTree) -> None:
        self._prefix = prefix
        self._children: dict[str, CallbackNamespace | str] = {}
        self._tree = tree

    def __getattr__(self, name: str) -> CallbackNamespace | CallbackHandle:
        if name.startswith("_"):
            raise AttributeError(name)
        child = self._children.get(name)
        if child is None:
            # Not listed, and still a path: its handler may live on another node, or have been
            # registered after this child started. The call finds out.
            return CallbackHandle(f"{self._prefix}.{name}", self._tree.opener)
        if isinstance(child, str):
            return CallbackHandle(child, self._tree.opener)
        return child

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(
            f"commbus.{self._prefix} is not a function of commbus but a namespace of callbacks: a callback "
            f"path is module.Type, called as commbus.{self._prefix}.Type(payload); {self._tree.known()}"
        )

    def __dir__(self) -> list[str]:
        return sorted(self._children)

    def __repr__(self) -> str:
        return f"<commbus callback namespace {self._prefix}: {', '.join(sorted(self._children))}>"


class CallbackTree:
    """All callback paths of this child, arranged as attribute namespaces."""

    def __init__(self, paths: Iterable[str], opener: Opener) -> None:
        self.paths: tuple[str, ...] = tuple(paths)
        self.opener = opener
        self._root = CallbackNamespace("commbus", self)
        for path in self.paths:
            self._add(path)

    def _add(self, path: str) -> None:
        parts = path.split(".")
        if not path or any(not part for part in parts):
            return  # not addressable as attributes; callback_handle() still reaches it
        level = self._root
        for depth, part in enumerate(parts[:-1]):
            child = level._children.get(part)
            if child is None:
                child = CallbackNamespace(".".join(parts[: depth + 1]), self)
                level._children[part] = child
            elif isinstance(child, str):
                return  # a callback already owns this name; the deeper path stays reachable by name
            level = child
        level._children.setdefault(parts[-1], path)

    def lookup(self, name: str) -> CallbackNamespace | CallbackHandle:
        """The top-level attribute ``commbus.<name>``: a listed path's namespace, or the namespace
        of paths under ``name`` the parent did not list; ``AttributeError`` for a name no path
        can start with."""
        child = self._root._children.get(name)
        if child is None:
            if not name.isidentifier() or name.startswith("_"):
                raise AttributeError(f"module 'commbus' has no attribute {name!r}; {self.known()}")
            return CallbackNamespace(name, self)
        if isinstance(child, str):
            return CallbackHandle(child, self.opener)
        return child

    def names(self) -> list[str]:
        """The top-level names the paths add to the ``commbus`` module."""
        return sorted(self._root._children)

    def known(self) -> str:
        if not self.paths:
            return "the parent listed no callbacks"
        return "known callbacks: " + ", ".join(sorted(self.paths))
