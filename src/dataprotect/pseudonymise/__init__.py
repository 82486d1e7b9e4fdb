"""Personal data out of logs: detect, then pseudonymise, mask or redact.

:class:`Pseudonymiser` finds personal data and credentials in text
(:meth:`~Pseudonymiser.findings`) and replaces each finding according to
its type's rule (:meth:`~Pseudonymiser.pseudonymise`).  Keyed pseudonyms
(``<email:3f9a1c2e>``) let support engineers follow one user or one client
address through a day's logs; the key changes every day (or week), so
pseudonyms from different periods cannot be linked.

:class:`PseudonymisingFilter` applies one pseudonymiser to every
:mod:`logging` record; :mod:`dataprotect.integrations.structlog` and
:mod:`dataprotect.integrations.sentry` apply it to structlog and Sentry, and
``dataprotect pseudonymise`` to log files.  :func:`delete_expired_logs`
enforces a retention period on log files.

This module holds the whole public API of the package; the detectors are
private modules beside it: ``_detect`` runs the passes and resolves
overlaps, ``_addresses`` (email, IP), ``_numbers`` (cards, IBAN, AHV,
phones), ``_secrets`` (tokens, credentials, key/value fields) and
``_names`` (person names) hold the passes, ``_findings`` the finding types.
"""

from __future__ import annotations

import importlib
import logging
import os
import time

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Final, Literal

from dataprotect import _kdf, keys
from dataprotect._hmac import HmacSha256
from dataprotect._secret import Secret, Unpicklable, check_bytes
from dataprotect.errors import ConfigurationError, MissingDependencyError
from dataprotect.keys import Keyring
from dataprotect.pseudonymise._addresses import AT_SIGN
from dataprotect.pseudonymise._detect import (
    FINDING_TYPES,
    Candidate,
    Detector,
    FindingType,
    field_kind,
    is_masked,
)
from dataprotect.pseudonymise._names import first_names
from dataprotect.pseudonymise._postal import postal_field


__all__ = [
    "DEFAULT_RULES",
    "FINDING_TYPES",
    "Action",
    "Finding",
    "FindingType",
    "Pseudonymiser",
    "PseudonymisingFilter",
    "Rotation",
    "delete_expired_logs",
]


Action = Literal["pseudonym", "mask", "redact", "truncate", "keep"]
"""What happens to a finding.

``pseudonym``: a keyed pseudonym such as ``<email:3f9a1c2e>``;
``mask``: every letter and digit becomes ``*`` (cards keep their last four
digits, emails their domain); ``redact``: ``[type]``; ``truncate``: IPv4
addresses to their /24 network and IPv6 to their /48 (IP only);
``keep``: unchanged (not even detected).
"""

Rotation = Literal["daily", "weekly", "never"]
"""How often the pseudonym key changes (UTC days or ISO weeks)."""

#: The rules used for every type not given in ``rules=``: pseudonyms for
#: personal data, so one user can be followed through a day's logs;
#: credentials are redacted, because a pseudonym of a password could be
#: brute-forced by anyone who obtains the key.
DEFAULT_RULES: Final[Mapping[str, Action]] = {
    "email": "pseudonym",
    "ip": "pseudonym",
    "phone": "pseudonym",
    "payment_card": "pseudonym",
    "iban": "pseudonym",
    "ahv": "pseudonym",
    "jwt": "redact",
    "api_key": "redact",
    "url_credential": "redact",
    "secret_param": "redact",
    "person_name": "pseudonym",
    "postal_address": "pseudonym",
}

_PHONE_REGIONS: Final = (
    "DE", "AT", "LI", "FR", "IT", "GB", "US", "NL", "BE", "ES", "PT", "PL",
)  # fmt: skip
_ACTIONS: Final = frozenset(
    ("pseudonym", "mask", "redact", "truncate", "keep")
)
_PSEUDONYM_HEX: Final = 8
_MEMO_SIZE: Final = 4096


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of personal data or one credential found in a text.

    Attributes:
        type: The finding type, e.g. ``"email"``.
        start: Index of the first character (Python ``str`` index).
        end: Index after the last character.

    The finding holds no value: ``text[finding.start:finding.end]`` is it.

    .. versionadded:: 0.1.0
    """

    type: FindingType
    start: int
    end: int


def _utc(now: datetime) -> datetime:
    if now.tzinfo is None:
        return now.replace(tzinfo=timezone.utc)
    return now.astimezone(timezone.utc)


def _epoch(rotation: Rotation, now: datetime) -> str:
    day = _utc(now).date()
    if rotation == "daily":
        return day.isoformat()
    if rotation == "weekly":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return "static"


def _phonenumbers(regions: tuple[str, ...]) -> Any:
    """The phonenumbers module, once *regions* are known to it."""
    try:
        phonenumbers = importlib.import_module("phonenumbers")
    except ImportError:
        msg = (
            "phone detection needs phonenumbers: install "
            "dataprotect[pseudonymise]"
        )
        raise MissingDependencyError(msg) from None
    if not {r for r in regions if r} <= phonenumbers.SUPPORTED_REGIONS:
        msg = (
            "phone regions must be ISO 3166 country codes that "
            "phonenumbers knows, such as 'CH'"
        )
        raise ConfigurationError(msg)
    return phonenumbers


def _faker_person(locale: str) -> Any:
    """Faker's person provider module for *locale* (its name lists)."""
    try:
        return importlib.import_module(f"faker.providers.person.{locale}")
    except ImportError:
        msg = (
            "person name detection needs Faker's name lists: install "
            "dataprotect[pseudonymise]"
        )
        raise MissingDependencyError(msg) from None


class Pseudonymiser(Unpicklable):
    """Detect personal data and credentials in text and replace them.

    Args:
        key: 32 random bytes, or a :class:`~dataprotect.keys.Keyring`
            (its primary key is used).  Pseudonyms are HMAC-SHA-256 under a
            subkey derived for the current epoch
            (``dataprotect/v1/pseudonym/<epoch>``).
        rules: Finding type -> :data:`Action`, overriding
            :data:`DEFAULT_RULES` for the types given.
        rotation: How often the pseudonym key changes: ``"daily"``
            (default), ``"weekly"`` or ``"never"``.
        clock: Returns the current time (default: UTC now); it picks the
            epoch when a method is called without ``now=``.
        default_region: ISO country for national phone numbers
            (``"044 668 18 00"`` is Swiss with ``"CH"``).
        phone_regions: Further regions tried for national phone numbers
            that are not valid in *default_region*.

    Raises:
        TypeError: *key* is neither bytes nor a keyring.
        dataprotect.errors.ConfigurationError: *key* is not 32 bytes, or a
            rule names an unknown type or action, or ``truncate`` is used
            for a type other than ``ip``, or a phone region is not a
            country code phonenumbers knows (``"XX"``, ``"ch"``).
        dataprotect.errors.MissingDependencyError: Phone numbers are to be
            detected but ``phonenumbers`` is not installed, or person names
            but Faker (whose first-name lists are used) is not.

    .. versionadded:: 0.1.0
    """

    __slots__ = (
        "_cache",
        "_clock",
        "_detector",
        "_key",
        "_memo",
        "_rotation",
        "_rules",
    )

    def __init__(
        self,
        *,
        key: bytes | Keyring,
        rules: Mapping[str, Action] | None = None,
        rotation: Rotation = "daily",
        clock: Callable[[], datetime] | None = None,
        default_region: str = "CH",
        phone_regions: Iterable[str] = _PHONE_REGIONS,
    ) -> None:
        # The keyring's primary key at construction, or the bytes given.
        self._key: tuple[Keyring, int] | Secret
        if isinstance(key, Keyring):
            self._key = (key, key.primary_id)
        else:
            material = check_bytes("key", key)
            if len(material) != 32:
                msg = "key must be 32 bytes"
                raise ConfigurationError(msg)
            self._key = Secret(material, label="pseudonym key")
        merged: dict[str, Action] = dict(DEFAULT_RULES)
        for name, action in (rules or {}).items():
            if name not in DEFAULT_RULES:
                msg = "rules name an unknown finding type"
                raise ConfigurationError(msg)
            if action not in _ACTIONS:
                msg = "rules name an unknown action"
                raise ConfigurationError(msg)
            if action == "truncate" and name != "ip":
                msg = "truncate applies to ip only"
                raise ConfigurationError(msg)
            merged[name] = action
        if rotation not in ("daily", "weekly", "never"):
            msg = "rotation must be 'daily', 'weekly' or 'never'"
            raise ConfigurationError(msg)
        self._rules = merged
        self._rotation: Rotation = rotation
        self._clock = clock
        # The epoch, its key and the key's HMAC pads.
        self._cache: tuple[str, bytes, HmacSha256] | None = None
        self._memo: dict[tuple[bytes, str, str], str] = {}
        enabled = [t for t, a in merged.items() if a != "keep"]
        phonenumbers: Any = None
        if "phone" in enabled:
            phone_regions = tuple(phone_regions)
            phonenumbers = _phonenumbers((default_region, *phone_regions))
        names: frozenset[str] = frozenset()
        if "person_name" in enabled:
            names = first_names(_faker_person)
        self._detector = Detector(
            enabled,
            default_region=default_region,
            phone_regions=phone_regions,
            phonenumbers=phonenumbers,
            first_names=names,
        )

    def __repr__(self) -> str:
        return f"<Pseudonymiser rotation={self._rotation}>"

    @property
    def rules(self) -> Mapping[str, Action]:
        """The effective rule for every finding type."""
        return dict(self._rules)

    def epoch(self, *, now: datetime | None = None) -> str:
        """The key epoch in force at *now*: ``2024-03-02``, ``2024-W09``."""
        return _epoch(self._rotation, self._now(now))

    def _now(self, now: datetime | None) -> datetime:
        if now is not None:
            return now
        if self._clock is not None:
            return self._clock()
        return datetime.now(timezone.utc)

    def _epoch_key(
        self, now: datetime | None
    ) -> tuple[str, bytes, HmacSha256]:
        """The epoch at *now*, its key and the key's HMAC."""
        if self._rotation == "never":
            epoch = "static"
        elif now is None and self._clock is None:
            epoch = _today_epoch(self._rotation)
        else:
            epoch = _epoch(self._rotation, self._now(now))
        cached = self._cache
        if cached is not None and cached[0] == epoch:
            return cached
        source = self._key
        if isinstance(source, Secret):
            key = _kdf.derive(source.reveal(), "pseudonym", epoch)
        else:
            key = keys.subkey(*source, "pseudonym", epoch)
        self._cache = (epoch, key, HmacSha256(key))
        return self._cache

    # -- detection --------------------------------------------------------

    def findings(self, text: str) -> list[Finding]:
        """Every piece of personal data and every credential in *text*.

        Types whose rule is ``keep`` are not looked for.  Findings never
        overlap and come in text order.
        """
        return [
            Finding(c.type, c.start, c.end) for c in self._detector.scan(text)
        ]

    # -- replacement ------------------------------------------------------

    def pseudonym(
        self, kind: FindingType, value: str, *, now: datetime | None = None
    ) -> str:
        """The pseudonym of *value* as a *kind*: ``<email:3f9a1c2e>``.

        *value* should be canonical (lower-case email, compressed IP); the
        pseudonyms in :meth:`pseudonymise` output are computed from the
        canonical form of each finding, so ``Anna@Example.CH`` and
        ``anna@example.ch`` get the same one.
        """
        return self._pseudonym(self._epoch_key(now), kind, value)

    def _pseudonym(
        self, epoch: tuple[str, bytes, HmacSha256], kind: str, value: str
    ) -> str:
        memo = self._memo
        cache_key = (epoch[1], kind, value)
        cached = memo.get(cache_key)
        if cached is not None:
            return cached
        data = kind.encode() + b"\x00" + value.encode("utf-8", "surrogatepass")
        # HMAC-SHA-256 keyed once per epoch.
        mac = epoch[2].digest(data)
        result = f"<{kind}:{mac[: _PSEUDONYM_HEX // 2].hex()}>"
        if len(memo) >= _MEMO_SIZE:
            memo.clear()
        memo[cache_key] = result
        return result

    def pseudonymise(self, text: str, *, now: datetime | None = None) -> str:
        """*text* with every finding replaced according to its rule.

        Idempotent: the output contains no findings of its own, so a second
        pass changes nothing.
        """
        found = self._detector.scan(text)
        if not found:
            return text
        return self._apply(text, found, now)

    def pseudonymise_with_counts(
        self, text: str, *, now: datetime | None = None
    ) -> tuple[str, dict[str, int]]:
        """Like :meth:`pseudonymise`, also counting findings by type."""
        found = self._detector.scan(text)
        counts: dict[str, int] = {}
        for c in found:
            counts[c.type] = counts.get(c.type, 0) + 1
        if not found:
            return text, counts
        return self._apply(text, found, now), counts

    def _apply(
        self, text: str, found: list[Candidate], now: datetime | None
    ) -> str:
        parts: list[str] = []
        pos = 0
        rules = self._rules
        memo = self._memo
        epoch: tuple[str, bytes, HmacSha256] | None = None
        key = b""  # the epoch's key, once a pseudonym needs it
        for c in found:
            kind, start, end, canonical, _ = c
            parts.append(text[pos:start])
            if rules[kind] == "pseudonym":
                if epoch is None:
                    epoch = self._epoch_key(now)
                    key = epoch[1]
                # a memoised pseudonym without a call of _pseudonym
                parts.append(
                    memo.get((key, kind, canonical))
                    or self._pseudonym(epoch, kind, canonical)
                )
            else:
                parts.append(self._replace(c, text[start:end], now))
            pos = end
        parts.append(text[pos:])
        return "".join(parts)

    def _replace(self, c: Candidate, raw: str, now: datetime | None) -> str:
        action = self._rules[c.type]
        if action == "pseudonym":
            return self.pseudonym(c.type, c.canonical, now=now)
        if action == "redact":
            return f"[{c.type}]"
        if action == "truncate":
            return _truncate_ip(c.canonical)
        # "mask"; types kept as they are are never detected.
        return _mask(c.type, raw)

    def walk(self, obj: Any, *, now: datetime | None = None) -> Any:
        """A copy of a structured log event with every string pseudonymised.

        Dicts, lists and tuples are walked recursively (up to 32 levels);
        strings are pseudonymised; values under a sensitive key
        (``password``, ``token``, ``email``, ``name``...) are replaced as a
        whole even if no detector recognises them.  Other values are kept.
        """
        return self._walk(obj, None, now, 0)

    def _walk(  # noqa: PLR0911 - one return per kind of value
        self, obj: Any, key: str | None, now: datetime | None, depth: int
    ) -> Any:
        if depth > 32:
            return "[depth]"
        if isinstance(obj, str):
            kind = _value_kind(key, obj)
            if kind is None or not obj or is_masked(obj):
                return self.pseudonymise(obj, now=now)
            if self._rules[kind] == "keep":
                return self.pseudonymise(obj, now=now)
            found = self._detector.scan(obj)
            if found and (
                kind not in ("secret_param", "api_key")
                or any(c.start == 0 and c.end == len(obj) for c in found)
            ):
                return self._apply(obj, found, now)
            # the key names the value: replace it whole
            whole = Candidate(kind, 0, len(obj), _canonical(kind, obj), 0)
            return self._replace(whole, obj, now)
        if isinstance(obj, Mapping):
            return {
                k: self._walk(
                    v, k if isinstance(k, str) else None, now, depth + 1
                )
                for k, v in obj.items()
            }
        if isinstance(obj, list):
            return [self._walk(v, key, now, depth + 1) for v in obj]
        if isinstance(obj, tuple):
            return tuple(self._walk(v, key, now, depth + 1) for v in obj)
        if (
            isinstance(obj, int)
            and not isinstance(obj, bool)
            and abs(obj) >= 10**11
        ):
            text = str(obj)
            replaced = self.pseudonymise(text, now=now)
            return obj if replaced == text else replaced
        return obj


_TODAY: list[Any] = [0.0, "", ""]


def _today_epoch(rotation: Rotation) -> str:
    """The current epoch, recomputed at most once a second."""
    now = time.time()
    if now - _TODAY[0] > 1.0 or _TODAY[1] != rotation:
        _TODAY[0] = now
        _TODAY[1] = rotation
        _TODAY[2] = _epoch(rotation, datetime.now(timezone.utc))
    return str(_TODAY[2])


_KEY_KINDS: Final[dict[str, FindingType | None]] = {}


def _key_kind(key: str) -> FindingType | None:
    """The finding type a field's name implies (memoised)."""
    try:
        return _KEY_KINDS[key]
    except KeyError:
        pass
    kind: FindingType | None = field_kind(key)
    if len(_KEY_KINDS) < 4096:
        _KEY_KINDS[key] = kind
    return kind


def _value_kind(key: str | None, value: str) -> FindingType | None:
    """The finding type the field *key* says its *value* is."""
    if key is None:
        return None
    kind = _key_kind(key)
    if kind is None and postal_field(key, value):
        return "postal_address"
    return kind


def _canonical(kind: str, value: str) -> str:
    if kind in ("email", "person_name", "postal_address"):
        return " ".join(value.split()).lower()
    return value


def _truncate_ip(value: str) -> str:
    import ipaddress

    addr = ipaddress.ip_address(value)
    if (
        isinstance(addr, ipaddress.IPv6Address)
        and addr.ipv4_mapped is not None
    ):
        addr = addr.ipv4_mapped
    prefix = 24 if addr.version == 4 else 48
    return str(
        ipaddress.ip_network(f"{addr}/{prefix}", strict=False).network_address
    )


def _mask(kind: str, raw: str) -> str:
    if kind == "payment_card":
        digits = [i for i, ch in enumerate(raw) if ch.isdigit()]
        keep = set(digits[-4:])
        return "".join(
            "*" if ch.isdigit() and i not in keep else ch
            for i, ch in enumerate(raw)
        )
    if kind == "email":
        at = AT_SIGN.search(raw)
        if at is None:  # pragma: no cover - every email finding has one
            return "***"
        return "***" + at.group(0) + raw[at.end() :]
    return "".join("*" if ch.isalnum() else ch for ch in raw)


# --------------------------------------------------------------------------
# logging

# Attributes every LogRecord has; anything else came from ``extra=``.
_RECORD_ATTRS: Final = frozenset(
    logging.LogRecord("", 0, "", 0, "", (), None).__dict__
) | {"message", "asctime", "taskName"}
_FAILED: Final = "[dataprotect: log message could not be formatted]"
_REMOVED: Final = "[dataprotect: field could not be pseudonymised]"


class PseudonymisingFilter(logging.Filter):
    """A :class:`logging.Filter` that pseudonymises every record it sees.

    It rewrites the formatted message (``msg % args``, then ``args`` is
    cleared), every ``extra=`` field (strings, dicts and lists), the
    exception text and the stack text.  It never drops a record and never
    raises, whatever the arguments: a message that cannot be formatted is
    replaced by a fixed text with its arguments pseudonymised.

    Attach it to a *handler* so it sees records from every logger::

        handler.addFilter(PseudonymisingFilter(Pseudonymiser(key=key)))

    Args:
        pseudonymiser: The rules and key to apply.

    .. versionadded:: 0.1.0
    """

    def __init__(self, pseudonymiser: Pseudonymiser) -> None:
        super().__init__()
        self.pseudonymiser = pseudonymiser

    def filter(self, record: logging.LogRecord) -> bool:
        """Pseudonymise *record* in place; always keep it."""
        try:
            self._rewrite(record)
        except Exception:  # noqa: BLE001 - a filter must never raise
            # Fail closed: nothing that was not pseudonymised may remain.
            record.msg = _FAILED
            record.args = None
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
            fields = record.__dict__
            for name in fields.keys() - _RECORD_ATTRS:
                fields[name] = _REMOVED
        return True

    def _rewrite(self, record: logging.LogRecord) -> None:
        p = self.pseudonymiser
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - bad args: log them safely
            message = (
                _FAILED
                + " "
                + _safe_repr(record.msg)
                + " "
                + _safe_repr(record.args)
            )
        # A plain str: a str subclass may override what we call (and a
        # record factory returning something else fails closed).
        message = str.__str__(message)
        record.msg = p.pseudonymise(message)
        record.args = None
        fields = record.__dict__
        # Most records carry no extra= field: a membership test in C finds
        # that without building the set of extra names.
        if not _RECORD_ATTRS.issuperset(fields):
            for name in fields.keys() - _RECORD_ATTRS:
                value = fields[name]
                if isinstance(value, (str, dict, list, tuple)):
                    try:
                        fields[name] = p.walk({name: value})[name]
                    except Exception:  # noqa: BLE001 - drop it, keep the rest
                        fields[name] = _REMOVED
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(
                record.exc_info
            )
        if record.exc_text:
            record.exc_text = p.pseudonymise(record.exc_text)
        if record.stack_info:
            record.stack_info = p.pseudonymise(record.stack_info)


def _safe_repr(value: object) -> str:
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - any __repr__ may raise anything
        return f"<unprintable {type(value).__name__}>"
    return text


# --------------------------------------------------------------------------
# retention


def delete_expired_logs(
    directory: str | os.PathLike[str],
    *,
    retention: timedelta,
    pattern: str = "*.log*",
    now: datetime | None = None,
    dry_run: bool = False,
) -> list[Path]:
    """Delete log files in *directory* last modified before the retention.

    Only regular files matching *pattern* directly in *directory* are
    considered (no recursion, symbolic links are never followed).

    Args:
        directory: The log directory.
        retention: How long a log file is kept after its last change.
        pattern: A glob for log files, rotated ones included
            (``app.log.1``, ``app.log.2024-03-01.gz``).
        now: The current time (default: now).
        dry_run: Only report what would be deleted.

    Returns:
        The deleted (or, with *dry_run*, deletable) files, oldest first.

    Raises:
        dataprotect.errors.ConfigurationError: *retention* is negative.

    .. versionadded:: 0.1.0
    """
    if retention < timedelta(0):
        msg = "retention must not be negative"
        raise ConfigurationError(msg)
    cutoff = _utc(now or datetime.now(timezone.utc)) - retention
    limit = cutoff.timestamp()
    expired: list[tuple[float, Path]] = []
    for path in Path(directory).glob(pattern):
        try:
            st = path.lstat()
        except FileNotFoundError:
            continue
        if not path.is_file() or path.is_symlink():
            continue
        if st.st_mtime < limit:
            expired.append((st.st_mtime, path))
    expired.sort()
    paths = [p for _, p in expired]
    if not dry_run:
        for path in paths:
            path.unlink(missing_ok=True)
    return paths
