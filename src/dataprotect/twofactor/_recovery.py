"""Single-use recovery codes, stored as keyed digests.

Re-exported, and documented, by :mod:`dataprotect.twofactor`.
"""

from __future__ import annotations

import re
import secrets

from dataclasses import dataclass, field
from typing import Final, cast

from dataprotect._secret import Unpicklable, check_type
from dataprotect.errors import ConfigurationError, TwoFactorRecordError
from dataprotect.tokens import TokenHasher
from dataprotect.twofactor._records import BAD_RECORD, dump_record, load_record


__all__ = ["RecoveryCodeSet", "RecoveryCodes"]

#: Crockford's base32, lower case: no i, l, o or u to misread.
_ALPHABET: Final = "0123456789abcdefghjkmnpqrstvwxyz"
_LENGTH: Final = 12  # characters: 60 random bits
_GROUP: Final = 4
# Crockford's decoding: the letters people type for 0 and 1.
_READ_AS: Final = str.maketrans("ilo", "110", " -\t")
_CODE_RE: Final = re.compile(f"[{_ALPHABET}]{{{_LENGTH}}}")
_MAX_CODE: Final = 64  # characters read of a submitted code
_MAX_CODES: Final = 100
_MAX_JSON: Final = 16384
_DIGEST_RE: Final = re.compile(r"dpt1\.[0-9a-f]{8}\.[A-Za-z0-9_-]{43}")
# Digests of recovery codes never equal those of access tokens made by
# the same TokenHasher: the hashed text carries this prefix.
_DOMAIN: Final = "dataprotect/recovery-code/v1:"


@dataclass(frozen=True)
class RecoveryCodeSet:
    """What to store for one user's recovery codes: the digests of the
    codes not used yet, and how many were used.

    Store the set :meth:`RecoveryCodes.verify` returns after every accepted
    code: the used code's digest is gone from it.

    Args:
        digests: The unused codes' digests (not in ``repr``), at most 100.
        used: How many codes were used.

    Raises:
        TypeError: A field has the wrong type.
        dataprotect.errors.TwoFactorRecordError: A digest is malformed, or
            there are too many.

    .. versionadded:: 0.1.0
    """

    digests: tuple[str, ...] = field(repr=False)
    used: int = 0

    def __post_init__(self) -> None:
        check_type("digests", self.digests, tuple)
        if type(self.used) is not int:
            msg = "used must be int"
            raise TypeError(msg)
        if len(self.digests) > _MAX_CODES or not 0 <= self.used <= 10**6:
            raise TwoFactorRecordError(BAD_RECORD)
        for digest in self.digests:
            if not isinstance(
                cast("object", digest), str
            ) or not _DIGEST_RE.fullmatch(digest):
                raise TwoFactorRecordError(BAD_RECORD)

    @property
    def remaining(self) -> int:
        """How many codes are left."""
        return len(self.digests)

    def to_json(self) -> str:
        """The set as compact JSON (format in ``docs/formats``)."""
        return dump_record(
            "recovery", {"used": self.used, "digests": list(self.digests)}
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> RecoveryCodeSet:
        """Parse :meth:`to_json` output.

        Raises:
            TypeError: *text* is neither ``str`` nor ``bytes``.
            dataprotect.errors.TwoFactorRecordError: Not a recovery code
                set of a known version, longer than 16 KiB, or malformed.
        """
        data = load_record(
            text, kind="recovery", names={"used", "digests"}, limit=_MAX_JSON
        )
        if not isinstance(data["digests"], list):
            raise TwoFactorRecordError(BAD_RECORD)
        try:
            return cls(tuple(data["digests"]), cast("int", data["used"]))
        except TypeError:
            raise TwoFactorRecordError(BAD_RECORD) from None


def _normalise(code: str) -> str | None:
    """*code* as generated, if it can be one: case, spaces, dashes and
    Crockford's misreadings (i, l -> 1; o -> 0) do not matter."""
    if type(code) is not str:
        check_type("code", code, str)
    if len(code) > _MAX_CODE:
        return None
    text = code.lower().translate(_READ_AS)
    return text if _CODE_RE.fullmatch(text) else None


class RecoveryCodes(Unpicklable):
    """Single-use recovery codes for users who lost their second factor.

    :meth:`generate` makes *count* codes such as ``"7k2m-q9xd-4hzr"``:
    12 characters of Crockford's base32 (60 random bits from
    ``secrets``), without the letters people misread; typing is forgiving
    about case, spaces, dashes, ``i``/``l`` for ``1`` and ``o`` for
    ``0``.  Only their keyed digests are stored, made by a
    :class:`~dataprotect.tokens.TokenHasher`: fast enough to check every
    code of a set, and useless to an attacker who has the database but not
    the key.  Each code is accepted once.

    Args:
        hasher: Makes and checks the digests; keep its key (or keyring key)
            for as long as the codes are in use.
        count: Codes per set, 1 to 100.

    Raises:
        TypeError: *hasher* is not a ``TokenHasher``.
        dataprotect.errors.ConfigurationError: *count* is out of bounds.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_count", "_hasher")

    def __init__(self, hasher: TokenHasher, *, count: int = 10) -> None:
        self._hasher = check_type("hasher", hasher, TokenHasher)
        if type(count) is not int:
            msg = "count must be int"
            raise TypeError(msg)
        if not 1 <= count <= _MAX_CODES:
            msg = f"count must be from 1 to {_MAX_CODES}"
            raise ConfigurationError(msg)
        self._count = count

    def __repr__(self) -> str:
        return f"<RecoveryCodes count={self._count}>"

    def generate(self) -> tuple[list[str], RecoveryCodeSet]:
        """New codes, and the set to store in place of any earlier one.

        Show the codes to the user once (to print or save) and keep only
        the set: the codes cannot be recovered from it.

        Returns:
            ``(codes, set)``.
        """
        codes = []
        for _ in range(self._count):
            raw = "".join(secrets.choice(_ALPHABET) for _ in range(_LENGTH))
            codes.append(
                "-".join(
                    raw[i : i + _GROUP] for i in range(0, _LENGTH, _GROUP)
                )
            )
        digests = tuple(
            self._hasher.digest(_DOMAIN + code.replace("-", ""))
            for code in codes
        )
        return codes, RecoveryCodeSet(digests)

    def verify(
        self, record: RecoveryCodeSet, code: str
    ) -> tuple[bool, RecoveryCodeSet]:
        """Check *code*; if it is an unused code of *record*, spend it.

        Every digest is checked (constant time each), so the time taken
        does not tell which code matched.  Rate-limit calls: see
        :func:`second_factor_throttle`.

        Returns:
            ``(True, set without the code)`` or ``(False, record)``.

        Raises:
            TypeError: An argument has the wrong type.
            dataprotect.errors.KeyNotFoundError: The key the set was made
                under is not in the hasher's keyring, or was retired or
                destroyed.
        """
        check_type("record", record, RecoveryCodeSet)
        text = _normalise(code)
        if text is None:
            return False, record
        token = _DOMAIN + text
        match = None
        for index, digest in enumerate(record.digests):
            if self._hasher.verify(token, digest) and match is None:
                match = index
        if match is None:
            return False, record
        left = record.digests[:match] + record.digests[match + 1 :]
        return True, RecoveryCodeSet(left, record.used + 1)
