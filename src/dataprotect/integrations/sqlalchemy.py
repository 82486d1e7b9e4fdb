"""Encrypted columns for SQLAlchemy (2.0+) models.

:class:`EncryptedBytes`, :class:`EncryptedString` and :class:`EncryptedJSON`
encrypt a column with an :class:`~dataprotect.encryption.Encryptor`,
binding the table, the column and the row's primary key as associated
data, so a value copied to another row or column does not decrypt.
:class:`BlindIndexed` keeps a keyed digest of an encrypted column in a
column of its own, for equality look-ups.  :func:`reencrypt_table` moves
every row to the primary key in batches; :func:`encrypt_existing`
encrypts plaintext left from before encryption was turned on.

A column type alone never sees its row, so the ORM does the binding:
importing this module installs mapper and instance events that encrypt
on flush and decrypt on load.  Write through a
:class:`~sqlalchemy.orm.Session` (``add``, ``flush``, ``commit``); Core
statements and ORM bulk inserts bypass those events and must use
:func:`bind_value` and :func:`open_value`.  Needs ``dataprotect[sqlalchemy]``.
"""

from __future__ import annotations

import weakref

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Final, Generic, TypeVar

from dataprotect._secret import check_type
from dataprotect.encryption import BlindIndex, Encryptor
from dataprotect.errors import ConfigurationError, MissingDependencyError
from dataprotect.integrations._columns import (
    PENDING,
    Bound,
    ColumnCipher,
    Kind,
    PrimaryKey,
    Sealed,
    context,
)


try:
    from sqlalchemy import (
        Column,
        ColumnElement,
        Dialect,
        LargeBinary,
        Table,
        Text,
        bindparam,
        event,
        inspect,
        types,
    )
    from sqlalchemy.orm import (
        Mapper,
        QueryableAttribute,
        Session,
        configure_mappers,
    )
    from sqlalchemy.orm.attributes import (
        flag_modified,
        instance_dict,
        set_committed_value,
    )
except ImportError:  # pragma: no cover - exercised without the extra
    msg = "the SQLAlchemy integration needs sqlalchemy: install dataprotect[sqlalchemy]"
    raise MissingDependencyError(msg) from None

from dataprotect.integrations._rotation import Batch, ReencryptResult, rotate


__all__ = [
    "BlindIndexed",
    "EncryptedBytes",
    "EncryptedJSON",
    "EncryptedString",
    "EncryptedType",
    "ReencryptResult",
    "Sealed",
    "bind_value",
    "blind_match",
    "encrypt_existing",
    "open_value",
    "reencrypt_table",
]

_T = TypeVar("_T")
_NOT_BOUND: Final = (
    "an encrypted column is bound to its row's primary key: write it "
    "through an ORM session or with bind_value(), and look it up through a "
    "blind index, never by its value"
)


class EncryptedType(types.TypeDecorator[_T], Generic[_T]):
    """Base class of the encrypted column types; use a subclass.

    Args:
        encryptor: Encrypts under the keyring's primary key and decrypts
            under every active key.

    .. versionadded:: 0.1.0
    """

    impl: types.TypeEngine[Any] | type[types.TypeEngine[Any]] = LargeBinary
    cache_ok = True
    _kind: ClassVar[Kind] = "bytes"

    def __init__(self, encryptor: Encryptor) -> None:
        super().__init__()
        self.encryptor = check_type("encryptor", encryptor, Encryptor)
        self.cipher = ColumnCipher(
            encryptor, self._kind, text=self._kind == "str"
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.encryptor!r})"

    def process_bind_param(
        self,
        value: object,
        dialect: Dialect,  # noqa: ARG002 - TypeDecorator's signature
    ) -> bytes | str | None:
        """Encrypt a value bound by the ORM events or :func:`bind_value`.

        Raises:
            dataprotect.errors.ConfigurationError: A bare value (a Core
                statement, an ORM bulk insert, a comparison).
        """
        if value is None:
            return None
        if isinstance(value, Bound):
            return self.cipher.seal(value.raw, value.ad)
        raise ConfigurationError(_NOT_BOUND)

    def process_result_value(
        self,
        value: object,
        dialect: Dialect,  # noqa: ARG002 - TypeDecorator's signature
    ) -> Any:
        """Wrap the stored value; the load event decrypts it."""
        return None if value is None else Sealed(value)


class EncryptedBytes(EncryptedType[bytes]):
    """An encrypted ``bytes`` column, stored as binary (45 bytes longer).

    .. versionadded:: 0.1.0
    """

    impl = LargeBinary
    cache_ok = True
    _kind: ClassVar[Kind] = "bytes"


class EncryptedString(EncryptedType[str]):
    """An encrypted ``str`` column, stored as URL-safe base64 text.

    Text storage lets an existing text column be encrypted in place
    (:func:`encrypt_existing`); the stored text is about
    ``4 / 3 * (UTF-8 length + 45)`` characters long.

    .. versionadded:: 0.1.0
    """

    impl = Text
    cache_ok = True
    _kind: ClassVar[Kind] = "str"


class EncryptedJSON(EncryptedType[object]):
    """An encrypted JSON column (compact JSON text, encrypted, as binary).

    Changes inside a dict or list are noticed when the type is wrapped,
    as SQLAlchemy's ``JSON`` is: ``MutableDict.as_mutable(EncryptedJSON(
    encryptor))`` (or ``MutableList``); otherwise assign a new value.

    .. versionadded:: 0.1.0
    """

    impl = LargeBinary
    cache_ok = True
    _kind: ClassVar[Kind] = "json"


class BlindIndexed(types.TypeDecorator[bytes]):
    """A column holding the :class:`~dataprotect.encryption.BlindIndex`
    digest of the encrypted attribute *source*, kept in sync on flush.

    Look rows up with ``where(User.email_index == index.digest(value))``,
    or with :func:`blind_match` while a key rotation is rolled out.

    Args:
        index: The blind index (its name and digest length).
        source: The mapped attribute name of the encrypted column.

    .. versionadded:: 0.1.0
    """

    impl = LargeBinary
    cache_ok = True

    def __init__(self, index: BlindIndex, *, source: str) -> None:
        super().__init__()
        self.index = check_type("index", index, BlindIndex)
        self.source = check_type("source", source, str)

    def __repr__(self) -> str:
        return f"BlindIndexed({self.index!r}, source={self.source!r})"


def blind_match(
    column: QueryableAttribute[bytes | None], value: bytes | str
) -> ColumnElement[bool]:
    """``column IN (digests of value under every active key)``.

    Finds rows whose digest was made under an older key, until
    :func:`reencrypt_table` has rebuilt the index.

    .. versionadded:: 0.1.0
    """
    index = _column(column).type
    if not isinstance(index, BlindIndexed):
        msg = "column must be a BlindIndexed column"
        raise ConfigurationError(msg)
    return column.in_(index.index.candidates(value))


# -- the ORM events -------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Field:
    key: str
    column: Column[Any]
    type: EncryptedType[Any]
    pk_keys: tuple[str, ...]

    def ad(self, pk: PrimaryKey | None) -> bytes:
        return context(self.column.table.name, self.column.name, pk)


@dataclass(frozen=True)
class _Index:
    key: str
    type: BlindIndexed
    source: _Field


class _Plan:
    """The encrypted columns and blind indexes of one mapper."""

    def __init__(self, fields: list[_Field], indexes: list[_Index]) -> None:
        self.fields = fields
        self.indexes = indexes

    @staticmethod
    def _pk(target: object, field: _Field) -> PrimaryKey | None:
        state = instance_dict(target)
        values = [state.get(k) for k in field.pk_keys]
        return PENDING if any(v is None for v in values) else values

    def _index(
        self, target: object, *, changed: Callable[[str], bool]
    ) -> None:
        state = inspect(target)
        for index in self.indexes:
            if not changed(index.source.key):
                continue
            value = state.dict.get(index.source.key)
            digest = None
            if value is not None and not isinstance(value, (Bound, Sealed)):
                raw = index.source.type.cipher.dump(value)
                digest = index.type.index.digest(raw)
            setattr(target, index.key, digest)

    def _bind(self, target: object, field: _Field) -> None:
        state = inspect(target)
        value = state.dict.get(field.key)
        if value is None or isinstance(value, (Bound, Sealed)):
            return
        raw = field.type.cipher.dump(value)
        pk = self._pk(target, field)
        # A key not known before INSERT (autoincrement): insert an empty
        # placeholder bound to no row, then the value in after_insert.
        bound = Bound(value, b"" if pk is PENDING else raw, field.ad(pk))
        # Into the instance's dict, not through setattr: no attribute event
        # (sqlalchemy.ext.mutable's would refuse the wrapper).
        state.dict[field.key] = bound
        flag_modified(target, field.key)

    def before_insert(
        self, _mapper: Mapper[Any], _connection: object, target: object
    ) -> None:
        self._index(target, changed=lambda _key: True)
        for field in self.fields:
            self._bind(target, field)

    def before_update(
        self, _mapper: Mapper[Any], _connection: object, target: object
    ) -> None:
        state = inspect(target)

        def changed(key: str) -> bool:
            return bool(state.attrs[key].history.has_changes())

        self._index(target, changed=changed)
        for field in self.fields:
            moved = any(changed(k) for k in field.pk_keys)
            if moved and field.key not in state.dict:
                msg = (
                    "load the encrypted columns before changing a primary key"
                )
                raise ConfigurationError(msg)
            if moved or changed(field.key):
                self._bind(target, field)

    def after_write(
        self, _mapper: Mapper[Any], _connection: object, target: object
    ) -> None:
        state = inspect(target)
        for field in self.fields:
            bound = state.dict.get(field.key)
            if not isinstance(bound, Bound):
                continue
            if bound.ad == field.ad(PENDING):
                # The key is known now: write the value in after_flush,
                # one executemany per column for the whole flush.
                pk = self._pk(target, field)
                pending = state.session.info.setdefault(_PENDING, {})
                pending.setdefault(field, []).append((pk, bound.value))
            set_committed_value(target, field.key, bound.value)

    def load(
        self, target: object, _context: object, attrs: object = None
    ) -> None:
        state = instance_dict(target)
        for field in self.fields:
            value = state.get(field.key)
            if not isinstance(value, Sealed):
                continue
            if attrs is not None and field.key not in attrs:  # type: ignore[operator]  # an iterable of names
                continue  # pragma: no cover - refreshed without this one
            pk = self._pk(target, field) or ()
            plain = field.type.cipher.open(
                value.stored,
                field.column.table.name,
                field.column.name,
                pk,
            )
            set_committed_value(target, field.key, plain)


#: ``Session.info`` key: values of rows inserted before their key was known.
_PENDING: Final = "dataprotect.pending"


@event.listens_for(Session, "after_flush")
def _write_pending(session: Session, _context: object) -> None:
    """UPDATE the rows whose INSERT wrote a placeholder (autoincrement)."""
    pending: dict[_Field, list[tuple[PrimaryKey, object]]] = session.info.pop(
        _PENDING, {}
    )
    for field, rows in pending.items():
        table = field.column.table
        names = [f"_pk{i}" for i in range(len(table.primary_key))]
        statement = (
            table.update()
            .where(
                *(
                    c == bindparam(n, type_=c.type)
                    for c, n in zip(table.primary_key, names, strict=True)
                )
            )
            .values({field.column: bindparam("_value", type_=field.type)})
        )
        cipher = field.type.cipher
        params = [
            {
                **dict(zip(names, pk, strict=True)),
                "_value": Bound(value, cipher.dump(value), field.ad(pk)),
            }
            for pk, value in rows
        ]
        session.connection().execute(statement, params)


@event.listens_for(Session, "after_soft_rollback")
def _forget_pending(session: Session, _previous: object) -> None:
    """A failed flush leaves no value to write into a reused key."""
    session.info.pop(_PENDING, None)


_plans: weakref.WeakKeyDictionary[Mapper[Any], _Plan] = (
    weakref.WeakKeyDictionary()
)


def _pk_keys(mapper: Mapper[Any], table: Any) -> tuple[str, ...]:
    return tuple(
        mapper.get_property_by_column(c).key for c in table.primary_key
    )


#: Column defaults the ORM or the database fills in, past the row binding.
_DEFAULTS: Final = ("default", "onupdate", "server_default", "server_onupdate")


def _refuse_defaults(column: Any) -> None:
    """An encrypted column takes no default: the database would store a
    server default unencrypted, and the INSERT would pass a Python
    default to the column type unbound to its row."""
    for name in _DEFAULTS:
        if getattr(column, name) is not None:
            msg = (
                f"encrypted column {column.table.name}.{column.name} cannot "
                f"have {name}=: it would not be encrypted for its row; set "
                "the value on the object (e.g. in __init__) instead"
            )
            raise ConfigurationError(msg)


@event.listens_for(Mapper, "mapper_configured")
def _configure(mapper: Mapper[Any], class_: type) -> None:
    fields: dict[str, _Field] = {}
    blind: list[tuple[str, BlindIndexed]] = []
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        if isinstance(column.type, EncryptedType):
            _refuse_defaults(column)
            keys = _pk_keys(mapper, column.table)
            fields[prop.key] = _Field(prop.key, column, column.type, keys)  # type: ignore[arg-type]  # a Table's column
        elif isinstance(column.type, BlindIndexed):
            blind.append((prop.key, column.type))
    if not fields and not blind:
        return
    indexes = []
    for key, typ in blind:
        if typ.source not in fields:
            msg = "BlindIndexed source must name an encrypted attribute"
            raise ConfigurationError(msg)
        indexes.append(_Index(key, typ, fields[typ.source]))
    plan = _Plan(list(fields.values()), indexes)
    _plans[mapper] = plan
    event.listen(mapper, "before_insert", plan.before_insert)
    event.listen(mapper, "before_update", plan.before_update)
    event.listen(mapper, "after_insert", plan.after_write)
    event.listen(mapper, "after_update", plan.after_write)
    # First: sqlalchemy.ext.mutable's listeners then wrap the plaintext.
    event.listen(class_, "load", plan.load, insert=True)
    event.listen(class_, "refresh", plan.load, insert=True)


# -- Core access and rotation -------------------------------------------


def _column(attribute: object) -> Column[Any]:
    prop = getattr(attribute, "property", None)
    columns = getattr(prop, "columns", None)
    if not columns or not isinstance(columns[0], Column):
        msg = "expected a mapped column attribute such as User.email"
        raise ConfigurationError(msg)
    return columns[0]


def _encrypted(attribute: object) -> tuple[Column[Any], EncryptedType[Any]]:
    column = _column(attribute)
    if not isinstance(column.type, EncryptedType):
        msg = "column must be an encrypted column"
        raise ConfigurationError(msg)
    return column, column.type


def _pk_tuple(pk: object) -> PrimaryKey:
    return pk if isinstance(pk, (tuple, list)) else (pk,)


def bind_value(
    column: QueryableAttribute[object], value: object, *, pk: object
) -> object:
    """*value* bound to row *pk*, for ``insert()``/``update()`` in Core.

    Args:
        column: The encrypted attribute, e.g. ``User.email``.
        value: The plaintext.
        pk: The row's primary key (a tuple for a composite key).

    Returns:
        An opaque object the column type encrypts when the statement runs.

    .. versionadded:: 0.1.0
    """
    col, typ = _encrypted(column)
    ad = context(col.table.name, col.name, _pk_tuple(pk))
    return Bound(value, typ.cipher.dump(value), ad)


def open_value(
    column: QueryableAttribute[object], value: Sealed | None, *, pk: object
) -> object:
    """Decrypt a :class:`Sealed` value of row *pk* selected with Core.

    Raises:
        dataprotect.errors.ColumnDecryptionError: A wrong key or row.
        dataprotect.errors.UnencryptedValueError: Plaintext.

    .. versionadded:: 0.1.0
    """
    if value is None:
        return None
    col, typ = _encrypted(column)
    sealed = check_type("value", value, Sealed)
    return typ.cipher.open(
        sealed.stored,
        col.table.name,
        col.name,
        _pk_tuple(pk),
    )


def _plan_batch(
    column: QueryableAttribute[object],
) -> tuple[Table, Batch]:
    col, typ = _encrypted(column)
    configure_mappers()  # the plan (blind indexes) exists once configured
    mapper = inspect(column).parent
    plan = _plans.get(mapper)
    indexes = [
        (mapper.columns[i.key], i.type.index)
        for i in (plan.indexes if plan else [])
        if i.source.column is col
    ]
    return col.table, Batch(col, typ.cipher, indexes)


def reencrypt_table(
    session: Session,
    column: QueryableAttribute[object],
    *,
    batch: int = 1000,
    progress: Callable[[int], object] | None = None,
) -> ReencryptResult:
    """Re-encrypt every row of *column* under the primary key, in place.

    Reads the rows in primary key order, *batch* at a time; rewrites each
    value not yet under the primary key (and each blind index digest of
    it not made under the primary key) and commits after every batch.
    An update applies only if the row still holds the value read, so a
    concurrent write is never undone.  Interrupted, it leaves every row
    readable (under the old key or the new); run it again to finish.

    Args:
        session: A session used for nothing else meanwhile (it commits).
        column: The encrypted attribute, e.g. ``User.email``.
        batch: Rows per transaction.
        progress: Called with the number of rows of each batch.

    Returns:
        How many rows were read and rewritten.

    Raises:
        dataprotect.errors.ColumnDecryptionError: A row does not decrypt.
        dataprotect.errors.UnencryptedValueError: A row holds plaintext.

    .. versionadded:: 0.1.0
    """
    table, plan = _plan_batch(column)
    return rotate(session, table, plan, batch=batch, progress=progress)


def encrypt_existing(
    session: Session,
    column: QueryableAttribute[object],
    *,
    batch: int = 1000,
    progress: Callable[[int], object] | None = None,
) -> ReencryptResult:
    """Encrypt plaintext left in *column* from before encryption, in place.

    As :func:`reencrypt_table`, but a value that is not a ciphertext is
    taken as the plaintext (UTF-8 text for :class:`EncryptedString`, JSON
    text for :class:`EncryptedJSON`) and encrypted; its blind indexes are
    computed.  A value that looks like a ciphertext but does not decrypt
    stops the run: it is never taken as plaintext.

    Raises:
        dataprotect.errors.ColumnDecryptionError: As :func:`reencrypt_table`.
        dataprotect.errors.ConfigurationError: A plaintext that is not of
            the column's kind (not UTF-8, not JSON).

    .. versionadded:: 0.1.0
    """
    table, plan = _plan_batch(column)
    return rotate(
        session,
        table,
        plan,
        batch=batch,
        progress=progress,
        plaintext=True,
    )
