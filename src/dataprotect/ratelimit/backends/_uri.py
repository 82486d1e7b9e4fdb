"""Storage URIs: which kind of storage a URI names, and opening a shared one.

``memory://`` is :class:`~dataprotect.ratelimit.backends._memory.LockingMemoryStorage`
(built by the limiter, which owns its clock); the ``redis`` and ``valkey``
schemes open ``limits``' own storages, sync or async.
"""

from __future__ import annotations

from typing import Literal, cast

import limits.errors
import limits.storage

from limits.storage import storage_from_string

from dataprotect.errors import (
    BackendError,
    ConfigurationError,
    MissingDependencyError,
)


__all__ = ["StorageKind", "open_storage", "storage_kind"]

#: ``"memory"`` (this process) or ``"redis"`` (shared: Redis or Valkey).
StorageKind = Literal["memory", "redis"]

#: Storage URI scheme -> kind.  Only these are offered (and tested).
_SCHEMES: dict[str, StorageKind] = {
    "memory": "memory",
    **dict.fromkeys(
        (
            "redis",
            "rediss",
            "redis+unix",
            "redis+cluster",
            "redis+sentinel",
            "valkey",
            "valkeys",
            "valkey+unix",
            "valkey+cluster",
            "valkey+sentinel",
        ),
        "redis",
    ),
}

_KEY_PREFIX = "dataprotect"


def storage_kind(uri: str) -> StorageKind:
    """The kind of storage *uri* names.

    Raises:
        ConfigurationError: The scheme is not one of those offered.
    """
    kind = _SCHEMES.get(uri.partition("://")[0].lower())
    if kind is None:
        msg = "storage scheme must be memory, redis or valkey (see docs)"
        raise ConfigurationError(msg)
    return kind


def open_storage(
    uri: str,
    options: dict[str, float | str | bool],
    *,
    redacted: str,
    async_: bool,
) -> limits.storage.Storage:
    """``limits``' storage for a shared *uri* (async: ``limits.aio``'s).

    Args:
        uri: A ``redis`` or ``valkey`` storage URI.
        options: Extra keyword arguments for the storage.
        redacted: *uri* without credentials, for error messages.
        async_: Open the async storage.

    Raises:
        ConfigurationError: An invalid URI.
        MissingDependencyError: The client library is missing.
        BackendError: A cluster that cannot be reached (cluster clients
            connect at once).
    """
    options = {
        "wrap_exceptions": True,
        "key_prefix": _KEY_PREFIX,
        **options,
    }
    if async_:
        uri = f"async+{uri}"
        if not uri.startswith("async+valkey"):
            options.setdefault("implementation", "redispy")
    client = "valkey" if "valkey" in uri.partition(":")[0] else "redis"
    missing = f"{client.title()} storage needs {client}: install dataprotect[{client}]"
    try:
        made = storage_from_string(uri, **options)
    except limits.errors.ConfigurationError as exc:
        text = str(exc).lower()
        if any(
            word in text
            for word in ("dependency", "not available", "minimum version")
        ):
            raise MissingDependencyError(missing) from None
        msg = f"invalid rate-limit storage URI {redacted}"
        raise ConfigurationError(msg) from None
    except (ValueError, TypeError):
        msg = f"invalid rate-limit storage URI {redacted}"
        raise ConfigurationError(msg) from None
    except Exception as exc:
        # A cluster client connects at once (redis-py's and valkey's
        # RedisClusterException / ValkeyClusterException).
        if type(exc).__module__.partition(".")[0] not in {
            "redis",
            "valkey",
        }:
            raise
        msg = (
            f"cannot reach rate-limit storage {redacted}: {type(exc).__name__}"
        )
        raise BackendError(msg) from None
    return cast("limits.storage.Storage", made)
