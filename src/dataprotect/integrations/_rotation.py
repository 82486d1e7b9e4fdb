"""Batched, resumable re-encryption of one column in place (SQLAlchemy Core).

Shared by :func:`dataprotect.integrations.sqlalchemy.reencrypt_table` (a
mapped column) and ``dataprotect db reencrypt`` (a reflected table).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    Table,
    and_,
    bindparam,
    or_,
    select,
    type_coerce,
    types,
)
from sqlalchemy.orm import Session

from dataprotect._secret import check_bytes
from dataprotect.encryption import BlindIndex
from dataprotect.errors import ConfigurationError
from dataprotect.integrations._columns import (
    ColumnCipher,
    PrimaryKey,
)


__all__ = ["Batch", "ReencryptResult", "rotate"]


@dataclass(frozen=True)
class ReencryptResult:
    """What :func:`~dataprotect.integrations.sqlalchemy.reencrypt_table`
    did.

    .. versionadded:: 0.1.0
    """

    #: Rows read (every row of the table).
    rows: int
    #: Rows whose value or blind index digest was rewritten.
    rewritten: int


@dataclass(frozen=True)
class Batch:
    """The column to rotate, its cipher, and its blind index columns."""

    column: Column[Any]
    cipher: ColumnCipher
    indexes: Sequence[tuple[Column[Any], BlindIndex]]


def _raw(column: Column[Any]) -> Any:
    """*column* read and written as stored, bypassing a TypeDecorator."""
    typ = column.type
    impl = typ.impl_instance if isinstance(typ, types.TypeDecorator) else typ
    return type_coerce(column, impl)


def _after(pk_columns: list[Column[Any]], last: PrimaryKey) -> Any:
    """Rows after *last* in primary key order (portable keyset paging)."""
    clauses = []
    for i, column in enumerate(pk_columns):
        equal = [c == v for c, v in zip(pk_columns[:i], last[:i], strict=True)]
        clauses.append(and_(*equal, column > last[i]))
    return or_(*clauses)


def _as_bytes(value: object) -> bytes | None:
    """A stored binary value as ``bytes`` (drivers may give memoryview)."""
    return None if value is None else check_bytes("value", value)


class _Row:
    """One row's new stored value and digests, or nothing to do."""

    def __init__(
        self, plan: Batch, table: str, row: Sequence[Any], n_pk: int
    ) -> None:
        self.pk = list(row[:n_pk])
        self.old = row[n_pk]
        self.new: object = self.old
        self.digests = [_as_bytes(d) for d in row[n_pk + 1 :]]
        self.plan = plan
        self.table = table

    def update(self, *, plaintext: bool) -> bool:
        """Compute the new value and digests; whether anything changed."""
        raw = None
        if self.old is not None:
            new, raw = self.plan.cipher.rotate(
                self.old,
                self.table,
                self.plan.column.name,
                self.pk,
                plaintext=plaintext,
            )
            if new is not None:
                self.new = new
        changed = self.new is not self.old
        for i, (_, index) in enumerate(self.plan.indexes):
            digest = None if raw is None else index.digest(raw)
            if digest != self.digests[i]:
                self.digests[i] = digest
                changed = True
        return changed


def rotate(
    session: Session,
    table: Table,
    plan: Batch,
    *,
    batch: int,
    progress: Callable[[int], object] | None,
    plaintext: bool = False,
) -> ReencryptResult:
    """Rewrite every row of *plan*'s column in batches of *batch* rows.

    Each batch is one transaction; an update applies only where the row
    still holds the value read (compare and swap), so concurrent writes
    win.  On any error the current batch is rolled back.
    """
    if type(batch) is not int or batch < 1:
        msg = "batch must be a positive integer"
        raise ConfigurationError(msg)
    pk_columns = list(table.primary_key)
    if not pk_columns:
        msg = "the table needs a primary key"
        raise ConfigurationError(msg)
    value = _raw(plan.column)
    digests = [_raw(c) for c, _ in plan.indexes]
    query = select(*pk_columns, value, *digests).order_by(*pk_columns)
    names = [f"_pk{i}" for i in range(len(pk_columns))]
    statement = (
        table.update()
        .where(
            *(
                c == bindparam(n)
                for c, n in zip(pk_columns, names, strict=True)
            ),
            value.is_not_distinct_from(bindparam("_old", type_=value.type)),
        )
        .values(
            {
                plan.column.name: bindparam("_new", type_=value.type),
                **{
                    c.name: bindparam(f"_ix{i}", type_=d.type)
                    for i, (d, (c, _)) in enumerate(
                        zip(digests, plan.indexes, strict=True)
                    )
                },
            }
        )
    )
    rows = rewritten = 0
    last: PrimaryKey | None = None
    try:
        while True:
            page = (
                query
                if last is None
                else query.where(_after(pk_columns, last))
            )
            fetched = session.execute(page.limit(batch)).all()
            if not fetched:
                break
            params = []
            for fetched_row in fetched:
                row = _Row(plan, table.name, fetched_row, len(pk_columns))
                if row.update(plaintext=plaintext):
                    params.append(
                        {
                            **dict(zip(names, row.pk, strict=True)),
                            "_old": row.old,
                            "_new": row.new,
                            **{
                                f"_ix{i}": d for i, d in enumerate(row.digests)
                            },
                        }
                    )
            if params:
                session.execute(statement, params)
            session.commit()
            rows += len(fetched)
            rewritten += len(params)
            last = list(fetched[-1][: len(pk_columns)])
            if progress is not None:
                progress(len(fetched))
    except BaseException:
        session.rollback()
        raise
    return ReencryptResult(rows, rewritten)
