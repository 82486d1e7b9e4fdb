"""The PostgreSQL fixture: a real server that other tests build on."""

from __future__ import annotations


def test_server_answers_queries(postgres):
    """A new database accepts DDL and queries over loopback."""
    url = postgres.create_database()
    database = url.rsplit("/", 1)[1]
    postgres.run("psql", "-d", database, "-c", "CREATE TABLE t (x int)")
    postgres.run(
        "psql", "-d", database, "-c", "INSERT INTO t VALUES (41), (1)"
    )
    out = postgres.run("psql", "-d", database, "-tAc", "SELECT sum(x) FROM t")
    assert out.strip() == "42"
    assert url.startswith(f"postgresql://postgres@127.0.0.1:{postgres.port}/")


def test_databases_are_separate(postgres):
    """Each call gives a database of its own."""
    assert postgres.create_database() != postgres.create_database()
