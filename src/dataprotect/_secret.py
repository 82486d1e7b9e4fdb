"""A wrapper for secret bytes that never shows them.

``repr``/``str`` show only a label; pickling is refused; equality is
constant-time.  Python cannot reliably wipe memory (see ``docs/limitations``),
so this protects against accidental disclosure in logs, tracebacks and
debuggers, not against an attacker who can read the process.
"""

from __future__ import annotations

from typing import NoReturn, TypeVar


__all__ = [
    "Secret",
    "Unpicklable",
    "check_bytes",
    "check_type",
    "encode_secret",
]

T = TypeVar("T")


def check_bytes(name: str, value: object) -> bytes:
    """Return *value* as ``bytes`` or raise ``TypeError`` naming *name*."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    msg = f"{name} must be bytes"
    raise TypeError(msg)


def check_type(name: str, value: object, kind: type[T]) -> T:
    """Return *value* if it is a *kind*, else raise ``TypeError`` naming *name*."""
    if isinstance(value, kind):
        return value
    msg = f"{name} must be {kind.__name__}"
    raise TypeError(msg)


def encode_secret(
    name: str, value: str, error: type[Exception] = ValueError
) -> bytes:
    """UTF-8 of the secret text *value*, or raise *error* naming *name*.

    A lone surrogate makes ``str.encode`` raise a ``UnicodeEncodeError``
    whose ``args`` and ``repr`` hold the whole text; this raises *error*
    with a fixed message instead, outside the ``except`` block, so the
    ``UnicodeEncodeError`` is not even its (hidden) ``__context__``.
    """
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError:
        pass
    msg = f"{name} must be valid Unicode (it contains a lone surrogate)"
    raise error(msg)


class Unpicklable:
    """Mixin: objects holding secrets refuse pickling (it would copy them)."""

    __slots__ = ()

    def __reduce__(self) -> NoReturn:
        msg = f"{type(self).__name__} objects cannot be pickled"
        raise TypeError(msg)


class Secret(Unpicklable):
    """Secret bytes with a harmless ``repr``.

    Args:
        value: The secret.
        label: What ``repr`` shows instead of the value, e.g. a key id.
    """

    __slots__ = ("_label", "_value")

    def __init__(self, value: bytes, *, label: str = "secret") -> None:
        self._value = check_bytes("value", value)
        self._label = label

    def reveal(self) -> bytes:
        """Return the secret bytes."""
        return self._value

    def __len__(self) -> int:
        return len(self._value)

    def __repr__(self) -> str:
        return f"<Secret {self._label}>"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        # Imported here: hmac loads OpenSSL's libcrypto (through hashlib),
        # which most command-line calls never need (start-up time).
        import hmac

        return hmac.compare_digest(self._value, other._value)

    def __hash__(self) -> int:
        return hash(self._label)
