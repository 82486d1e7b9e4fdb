"""Storage URIs: which kind of storage a URI names, and opening a shared one.

``memory://`` is :class:`~dataprotect.ratelimit.backends._memory.LockingMemoryStorage`
(built by the limiter, which owns its clock); the ``redis`` and ``valkey``
schemes open ``limits``' own storages, sync or async.
"""

from __future__ import annotations

from typing import Any, Literal, cast

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

#: Seconds a shared storage's client waits to connect, and for an answer,
#: before the call fails and the limiter's fail mode applies.  Without it a
#: server that stops answering (but keeps its socket open) blocks every
#: request for ever.  ``storage_options`` overrides either.
SOCKET_TIMEOUT = 1.0
_TIMEOUTS: dict[str, float | str | bool] = {
    "socket_timeout": SOCKET_TIMEOUT,
    "socket_connect_timeout": SOCKET_TIMEOUT,
}


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
        ConfigurationError: An invalid URI, or an option (in the URI's
            query or *options*) the client does not take.
        MissingDependencyError: The client library is missing.
        BackendError: A cluster that cannot be reached (cluster clients
            connect at once).
    """
    settings: dict[str, Any] = {
        "wrap_exceptions": True,
        "key_prefix": _KEY_PREFIX,
        **_TIMEOUTS,
        **options,
    }
    if "sentinel" in uri.partition(":")[0]:
        # The sentinels themselves answer within the same timeouts.
        settings.setdefault(
            "sentinel_kwargs", {name: settings[name] for name in _TIMEOUTS}
        )
    if async_:
        uri = f"async+{uri}"
        if not uri.startswith("async+valkey"):
            settings.setdefault("implementation", "redispy")
    client = "valkey" if "valkey" in uri.partition(":")[0] else "redis"
    missing = f"{client.title()} storage needs {client}: install dataprotect[{client}]"
    try:
        made = storage_from_string(uri, **settings)
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
    _check_clients(made, redacted)
    return cast("limits.storage.Storage", made)


def _check_clients(made: object, redacted: str) -> None:
    """Refuse connection settings the client would reject only when it
    first connects (``?token=x``: a TypeError at the first hit).

    Building a connection object checks them and opens no socket.
    """
    holders = (made, getattr(made, "bridge", None))
    for holder in holders:
        for attr in ("storage", "storage_slave", "storage_replica"):
            pool = getattr(
                getattr(holder, attr, None), "connection_pool", None
            )
            if pool is None:
                continue
            try:
                pool.connection_class(**pool.connection_kwargs)
            except (TypeError, ValueError):
                msg = f"invalid rate-limit storage URI {redacted}"
                raise ConfigurationError(msg) from None
