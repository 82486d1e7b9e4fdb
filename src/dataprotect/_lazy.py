"""A package's lazy exports (PEP 562): each name is imported on first
access, so importing the package costs only what is used."""

from __future__ import annotations

from importlib import import_module


# Not typing.TYPE_CHECKING: importing typing would cost as much as the
# rest of ``import dataprotect``.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping


def lazy_attribute(
    package: str,
    namespace: dict[str, object],
    lazy: Mapping[str, str],
    name: str,
) -> object:
    """Import *name* of *package* from its module and keep it.

    For the package's ``__getattr__``.

    Args:
        package: The package's ``__name__``.
        namespace: Its ``globals()``; the imported name is kept there, so
            Python calls ``__getattr__`` once per name.
        lazy: Exported name -> the module defining it (a submodule maps
            to itself).
        name: The name asked for.

    Raises:
        AttributeError: *name* is not exported lazily.
    """
    module_name = lazy.get(name)
    if module_name is None:
        msg = f"module {package!r} has no attribute {name!r}"
        raise AttributeError(msg)
    module = import_module(module_name)
    value = (
        module if module_name == f"{package}.{name}" else getattr(module, name)
    )
    namespace[name] = value
    return value
