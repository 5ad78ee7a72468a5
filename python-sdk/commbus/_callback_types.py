"""Typed callback namespaces, for type checkers and IDEs only.

The SDK declares none: ``commbus.market.MarketData(...)`` is resolved at run time, and a type
checker sees it through the module's ``__getattr__`` as ``Any``. ``commbus stubs`` writes a
``_callback_types.pyi`` beside a copy of this module, declaring each callback of a node with
its Java request and item types (``commbus_types``), which ``commbus/__init__.py`` imports
under ``TYPE_CHECKING``.
"""

from __future__ import annotations

__all__: list[str] = []
