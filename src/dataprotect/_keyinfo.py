"""What a keyring says about one key: :class:`dataprotect.keys.KeyInfo`.

Apart from :mod:`dataprotect.keys`, which loads it on first use, so that a
command that only opens a keyring does not import ``dataclasses``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING


if TYPE_CHECKING:
    from datetime import datetime

    from dataprotect.keys import KeyStatus

__all__ = ["KeyInfo"]


@dataclass(frozen=True)
class KeyInfo:
    """What a keyring says about one key (never its material).

    Attributes:
        key_id: The 32-bit id written into ciphertexts.
        status: ``"primary"``, ``"active"``, ``"retired"`` or
            ``"destroyed"``.
        created_at: When the key was made (UTC).

    .. versionadded:: 0.1.0
    """

    __module__ = "dataprotect.keys"  # where users import it from

    key_id: int
    status: KeyStatus
    created_at: datetime
