"""Dependency scanning through pip-audit with an offline OSV database made
by the tests (real OSV schema), against really installed packages."""

from __future__ import annotations

import json
import zipfile

from datetime import date
from importlib import metadata
from pathlib import Path

import pytest

from packaging.version import Version

from dataprotect.errors import BackendError, ConfigurationError
from dataprotect.scan import deps as deps_module
from dataprotect.scan.deps import (
    DependencyFinding,
    OSVDatabase,
    scan_dependencies,
    to_json,
    to_sarif,
)
from dataprotect.scan.ignores import IgnoreList, IgnoreRule, triage
from sarif_schema import _sarif_schema  # noqa: F401 - the fixture


PACKAGE = "packaging"  # installed wherever pip-audit is
INSTALLED = metadata.version(PACKAGE)


def _bump(version: str) -> str:
    return f"{Version(version).major + 1}.0"


def advisory(
    ident: str,
    package: str = PACKAGE,
    *,
    ranges: list[dict] | None = None,
    versions: list[str] | None = None,
    ecosystem: str = "PyPI",
    **extra,
) -> dict:
    """An OSV 1.6 entry (https://ossf.github.io/osv-schema/)."""
    affected: dict = {"package": {"ecosystem": ecosystem, "name": package}}
    if ranges is not None:
        affected["ranges"] = ranges
    if versions is not None:
        affected["versions"] = versions
    return {
        "schema_version": "1.6.0",
        "id": ident,
        "modified": "2026-01-01T00:00:00Z",
        "published": "2026-01-01T00:00:00Z",
        "aliases": [f"CVE-2099-{abs(hash(ident)) % 10000:04d}"],
        "summary": f"Seeded advisory {ident}",
        "affected": [affected],
        **extra,
    }


def ecosystem(*events: dict) -> list[dict]:
    return [{"type": "ECOSYSTEM", "events": list(events)}]


def write_db(root: Path, *entries: dict) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for entry in entries:
        (root / f"{entry['id']}.json").write_text(json.dumps(entry))
    return root


@pytest.fixture(name="seeded")
def _seeded(tmp_path) -> Path:
    """An OSV directory whose one advisory affects the installed version."""
    return write_db(
        tmp_path / "osv" / "PyPI",
        advisory(
            "GHSA-seed-0001-test",
            ranges=ecosystem({"introduced": "0"}, {"fixed": _bump(INSTALLED)}),
        ),
    )


class TestOfflineDatabase:
    def test_finds_the_seeded_advisory_in_the_environment(self, seeded):
        """An installed package affected by an advisory is a finding."""
        found = scan_dependencies(environment=True, osv_database=seeded.parent)
        [finding] = [f for f in found if f.package == PACKAGE]
        assert finding.version == INSTALLED
        assert finding.path == "<environment>"
        assert finding.fix_versions == (_bump(INSTALLED),)
        assert "GHSA-seed-0001-test" in {finding.advisory, *finding.aliases}
        assert finding.summary == "Seeded advisory GHSA-seed-0001-test"
        assert len(finding.fingerprint) == 32
        assert str(finding).startswith(f"<environment>: packaging {INSTALLED}")

    def test_not_after_the_fixture_marks_it_fixed(self, seeded):
        """Once the advisory's fixed version is the installed one: clean."""
        write_db(
            seeded,
            advisory(
                "GHSA-seed-0001-test",
                ranges=ecosystem({"introduced": "0"}, {"fixed": INSTALLED}),
            ),
        )
        assert scan_dependencies(osv_database=seeded) == []

    @pytest.mark.parametrize(
        ("entry", "hit"),
        [
            (advisory("A-1", versions=["0.1", INSTALLED]), True),
            (advisory("A-2", versions=["0.1"]), False),
            (
                advisory(
                    "A-3",
                    ranges=ecosystem(
                        {"introduced": "0"}, {"last_affected": INSTALLED}
                    ),
                ),
                True,
            ),
            (
                advisory(
                    "A-4",
                    ranges=ecosystem({"introduced": _bump(INSTALLED)}),
                ),
                False,
            ),
            (
                advisory(
                    "A-5",
                    ranges=ecosystem(
                        {"introduced": "0"}, {"limit": INSTALLED}
                    ),
                ),
                False,
            ),
            (
                advisory(
                    "A-6",
                    ranges=[
                        {"type": "GIT", "events": [{"introduced": "abc"}]}
                    ],
                ),
                False,
            ),
            (
                advisory(
                    "A-7",
                    ranges=ecosystem(
                        {"introduced": "not a version"}, {"fixed": "9999"}
                    ),
                ),
                False,
            ),
            (advisory("A-8", ecosystem="npm", versions=[INSTALLED]), False),
            (
                advisory(
                    "A-9",
                    versions=[INSTALLED],
                    withdrawn="2026-02-01T00:00:00Z",
                ),
                False,
            ),
            (
                advisory("A-10", package="Packaging", versions=[INSTALLED]),
                True,
            ),
        ],
        ids=[
            "listed",
            "not-listed",
            "last-affected",
            "introduced-later",
            "limit",
            "git-range",
            "bad-version",
            "other-ecosystem",
            "withdrawn",
            "name-normalised",
        ],
    )
    def test_osv_evaluation(self, tmp_path, entry, hit):
        """versions, ECOSYSTEM ranges, withdrawn and ecosystems as OSV says."""
        db = write_db(tmp_path / "db", entry)
        found = scan_dependencies(osv_database=db)
        assert bool([f for f in found if f.package == PACKAGE]) is hit

    def test_zip_export(self, tmp_path, seeded):
        """A zip export (OSV's all.zip) works like the directory."""
        archive = tmp_path / "all.zip"
        with zipfile.ZipFile(archive, "w") as zf:
            for file in seeded.iterdir():
                zf.write(file, file.name)
            zf.writestr("README.txt", "not an entry")
        db = OSVDatabase(archive)
        assert db.entries == 1
        assert scan_dependencies(osv_database=db)

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (b"{not json", "not valid JSON"),
            (b"[]", "not a JSON object"),
            (b'{"modified": "2026-01-01T00:00:00Z"}', "no id"),
            (b'{"id": "X-1"}', "no modified date"),
            (
                b'{"id": "X-1", "modified": "x", "affected": {}}',
                "affected and aliases must be lists",
            ),
            (
                b'{"id": "X-1", "modified": "x", "affected": [{"ranges": [{"events": [{"a": 1, "b": 2}]}]}]}',
                "malformed affected",
            ),
        ],
    )
    def test_corrupt_entry_is_one_clear_error(
        self, tmp_path, content, message
    ):
        """A corrupt entry names its file; no traceback, no silent pass."""
        db = tmp_path / "db"
        db.mkdir()
        (db / "BAD-1.json").write_bytes(content)
        with pytest.raises(ConfigurationError, match=f"BAD-1.json: {message}"):
            scan_dependencies(osv_database=db)

    def test_not_a_database(self, tmp_path):
        """A file that is no zip is refused with one message."""
        bogus = tmp_path / "db.txt"
        bogus.write_text("hello")
        with pytest.raises(ConfigurationError, match="zip export"):
            OSVDatabase(bogus)

    def test_oversized_entries(self, tmp_path, monkeypatch):
        """An entry over the size limit is refused (directory and zip)."""
        from dataprotect.scan import _osv

        monkeypatch.setattr(_osv, "_MAX_ENTRY", 10)
        db = write_db(tmp_path / "db", advisory("BIG-1", versions=["1"]))
        with pytest.raises(ConfigurationError, match="too large"):
            OSVDatabase(db)
        archive = tmp_path / "all.zip"
        with zipfile.ZipFile(archive, "w") as zf:
            zf.writestr("BIG-1.json", json.dumps(advisory("BIG-1")))
        with pytest.raises(ConfigurationError, match="too large"):
            OSVDatabase(archive)

    def test_one_entry_several_ranges(self, tmp_path):
        """An entry with two affected blocks for one package is one finding."""
        entry = advisory("R-1", versions=["0.1"])
        entry["affected"].append(
            {
                "package": {"ecosystem": "PyPI", "name": PACKAGE},
                "versions": [INSTALLED],
            }
        )
        db = write_db(tmp_path / "db", entry)
        assert len(scan_dependencies(osv_database=db)) == 1

    def test_published_dates(self, tmp_path):
        """A bad or missing published date does not break the audit."""
        db = write_db(
            tmp_path / "db",
            advisory("D-1", versions=[INSTALLED], published="yesterday"),
            advisory("D-2", versions=[INSTALLED], published=None),
        )
        assert len(scan_dependencies(osv_database=db)) >= 2


class TestSources:
    @pytest.fixture(name="db")
    def _db(self, tmp_path) -> Path:
        return write_db(
            tmp_path / "db",
            advisory(
                "GHSA-req-0001",
                package="requests",
                ranges=ecosystem({"introduced": "0"}, {"fixed": "2.1.0"}),
            ),
        )

    def test_requirements_file(self, tmp_path, db):
        """A pinned requirements file is audited without installing."""
        req = tmp_path / "requirements.txt"
        req.write_text("requests==2.0.0\nidna==3.7\n")
        [finding] = scan_dependencies(requirements=[req], osv_database=db)
        assert (finding.package, finding.version) == ("requests", "2.0.0")
        assert finding.path == str(req)

    def test_unpinned_requirements(self, tmp_path, db):
        """An unpinned requirement is one clear error, credentials masked."""
        req = tmp_path / "requirements.txt"
        req.write_text("requests>=2\n")
        with pytest.raises(ConfigurationError, match="not pinned"):
            scan_dependencies(requirements=[req], osv_database=db)
        url = tmp_path / "url.txt"
        url.write_text("pkg @ https://user:hunter2@example.com/pkg.tar.gz\n")
        notes: list[tuple[str, str]] = []
        assert (
            scan_dependencies(requirements=[url], osv_database=db, notes=notes)
            == []
        )
        assert notes
        assert "hunter2" not in repr(notes)

    @pytest.mark.parametrize(
        ("name", "text"),
        [
            (
                "uv.lock",
                (
                    'version = 1\nrequires-python = ">=3.10"\n\n'
                    '[[package]]\nname = "myproject"\nversion = "0.1.0"\n'
                    'source = { editable = "." }\n\n'
                    '[[package]]\nname = "requests"\nversion = "2.0.0"\n'
                    'source = { registry = "https://pypi.org/simple" }\n'
                ),
            ),
            (
                "poetry.lock",
                (
                    '[[package]]\nname = "requests"\nversion = "2.0.0"\n'
                    'description = "HTTP"\noptional = false\n\n'
                    '[[package]]\nname = "local"\nversion = "1.0"\n'
                    '[package.source]\ntype = "directory"\nurl = "../local"\n\n'
                    '[metadata]\nlock-version = "2.0"\n'
                ),
            ),
            (
                "pylock.toml",
                (
                    'lock-version = "1.0"\ncreated-by = "test"\n\n'
                    '[[packages]]\nname = "requests"\nversion = "2.0.0"\n'
                ),
            ),
        ],
    )
    def test_lock_files(self, tmp_path, db, name, text):
        """uv.lock, poetry.lock and pylock.toml are read; local packages skipped."""
        lock = tmp_path / name
        lock.write_text(text)
        notes: list[tuple[str, str]] = []
        [finding] = scan_dependencies(
            lock_files=[lock], osv_database=db, notes=notes
        )
        assert finding.package == "requests"
        if name != "pylock.toml":
            assert notes == [
                (
                    str(lock),
                    f"{'myproject' if name == 'uv.lock' else 'local'}: local package",
                )
            ]

    @pytest.mark.parametrize(
        ("name", "text", "message"),
        [
            ("uv.lock", "[[package]\n", "not a valid TOML"),
            ("uv.lock", "package = 3\n", "array of tables"),
            ("poetry.lock", "[[package]]\nversion = '1'\n", "has no name"),
            ("pylock.toml", "[[packages]]\n", "lock-version"),
            ("Pipfile.lock", "{}", "lock files must be"),
        ],
    )
    def test_bad_lock_files(self, tmp_path, db, name, text, message):
        """A malformed lock file is one clear error."""
        lock = tmp_path / name
        lock.write_text(text)
        with pytest.raises(ConfigurationError, match=message):
            scan_dependencies(lock_files=[lock], osv_database=db)

    def test_lock_odd_sources(self, tmp_path, db):
        """A source that is no table (not uv's or poetry's) is audited."""
        lock = tmp_path / "poetry.lock"
        lock.write_text(
            '[[package]]\nname = "requests"\nversion = "2.0.0"\nsource = "pypi"\n'
        )
        assert scan_dependencies(lock_files=[lock], osv_database=db)

    def test_lock_without_versions(self, tmp_path, db):
        """A package without a version is noted, not audited."""
        lock = tmp_path / "uv.lock"
        lock.write_text('[[package]]\nname = "requests"\n')
        notes: list[tuple[str, str]] = []
        assert (
            scan_dependencies(lock_files=[lock], osv_database=db, notes=notes)
            == []
        )
        assert notes == [(str(lock), "requests: no version")]

    def test_unreadable_lock_file(self, tmp_path, db):
        """A missing lock file is an OSError naming it."""
        with pytest.raises(FileNotFoundError):
            scan_dependencies(
                lock_files=[tmp_path / "uv.lock"], osv_database=db
            )

    def test_other_environment(self, tmp_path, db):
        """site-packages of another environment are read from disk."""
        site = tmp_path / "site"
        dist = site / "requests-2.0.0.dist-info"
        dist.mkdir(parents=True)
        (dist / "METADATA").write_text(
            "Metadata-Version: 2.1\nName: requests\nVersion: 2.0.0\n"
        )
        bad = site / "weird-1.dist-info"
        bad.mkdir()
        (bad / "METADATA").write_text(
            "Metadata-Version: 2.1\nName: weird\nVersion: not!a!version\n"
        )
        nameless = site / "nameless-1.dist-info"
        nameless.mkdir()
        (nameless / "METADATA").write_text("Metadata-Version: 2.1\n")
        notes: list[tuple[str, str]] = []
        [finding] = scan_dependencies(
            environment=[str(site)], osv_database=db, notes=notes
        )
        assert finding.version == "2.0.0"
        assert notes == [("<environment>", "weird: invalid version")]

    def test_online_service_is_pip_audits(self, tmp_path):
        """Without a database the OSV service is used (nothing to ask here)."""
        empty = tmp_path / "requirements.txt"
        empty.write_text("# nothing\n")
        assert scan_dependencies(requirements=[empty]) == []

    def test_service_failure_is_a_backend_error(self):
        """An unreachable vulnerability service is one BackendError."""
        from pip_audit._service import ConnectionError as AuditConnectionError

        class Down:
            def query_all(self, specs):
                raise AuditConnectionError("down")
                yield  # pragma: no cover

        source = deps_module._EnvironmentSource(None)
        with pytest.raises(BackendError, match="could not be reached"):
            list(deps_module._audit("<environment>", source, Down(), [], None))

    def test_progress(self, seeded):
        """progress is called once per package."""
        calls: list[int] = []
        scan_dependencies(osv_database=seeded, progress=calls.append)
        assert calls
        assert set(calls) == {1}


class TestReports:
    FINDING = DependencyFinding(
        package="requests",
        version="2.0.0",
        advisory="PYSEC-2099-1",
        aliases=("GHSA-aaaa-bbbb-cccc",),
        summary="Something bad",
        fix_versions=("2.1.0",),
        path="requirements.txt",
        fingerprint="f" * 32,
    )

    def test_json(self):
        """JSON holds every field."""
        [doc] = json.loads(to_json([self.FINDING]))
        assert doc["advisory"] == "PYSEC-2099-1"
        assert doc["fix_versions"] == ["2.1.0"]

    def test_sarif_validates(self, sarif_schema):
        """SARIF validates against the 2.1.0 schema."""
        import jsonschema

        env = DependencyFinding(
            **{
                **self.FINDING.__dict__,
                "path": "<environment>",
                "fix_versions": (),
            }
        )
        doc = json.loads(to_sarif([self.FINDING, env]))
        jsonschema.validate(doc, sarif_schema)
        run = doc["runs"][0]
        assert run["tool"]["driver"]["name"] == "dataprotect-deps"
        uris = [
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in run["results"]
        ]
        assert uris == ["requirements.txt", "environment"]

    def test_ignore_by_alias_until_expiry(self):
        """An ignore entry naming an alias hides the finding until it expires."""
        rule = IgnoreRule(
            "GHSA-aaaa-bbbb-cccc", "not reachable", date(2030, 1, 1)
        )
        ignores = IgnoreList((rule,))
        new, accepted = triage(
            [self.FINDING], ignores=ignores, today=date(2029, 12, 31)
        )
        assert (new, accepted) == ([], [self.FINDING])
        new, accepted = triage(
            [self.FINDING], ignores=ignores, today=date(2030, 1, 2)
        )
        assert (new, accepted) == ([self.FINDING], [])
        assert ignores.expired(date(2030, 1, 2)) == (rule,)
