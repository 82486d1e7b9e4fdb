"""What the stored two-factor records share: their JSON envelope."""

from __future__ import annotations

import json

from typing import Final, cast

from dataprotect.errors import TwoFactorRecordError


__all__ = ["BAD_RECORD", "dump_record", "load_record"]

#: The one message of every malformed record.
BAD_RECORD: Final = "malformed two-factor record"
_FORMAT: Final = 1


def dump_record(kind: str, fields: dict[str, object]) -> str:
    """Compact JSON ``{"v": 1, "type": kind, **fields}``."""
    return json.dumps(
        {"v": _FORMAT, "type": kind, **fields}, separators=(",", ":")
    )


def load_record(
    text: str | bytes, *, kind: str, names: set[str], limit: int
) -> dict[str, object]:
    """The fields of a format-1 *kind* record: exactly *names*.

    Raises:
        TypeError: *text* is neither ``str`` nor ``bytes``.
        TwoFactorRecordError: Longer than *limit*, not JSON, another type
            or version, or other fields.
    """
    if not isinstance(cast("object", text), (str, bytes)):
        msg = "text must be str or bytes"
        raise TypeError(msg)
    if len(text) > limit:
        raise TwoFactorRecordError(BAD_RECORD)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise TwoFactorRecordError(BAD_RECORD) from None
    if (
        not isinstance(data, dict)
        or set(data) != {"v", "type", *names}
        or type(data["v"]) is not int
        or data["v"] != _FORMAT
        or data["type"] != kind
    ):
        raise TwoFactorRecordError(BAD_RECORD)
    return cast("dict[str, object]", data)
