"""Code scanning through bandit, the ignore file, and the ``scan deps``,
``scan code`` and ``scan all`` commands (one merged SARIF log)."""

from __future__ import annotations

import io
import json
import sys

from datetime import date, timedelta
from importlib import metadata
from pathlib import Path

import jsonschema
import pytest

from click.testing import CliRunner
from packaging.version import Version

from dataprotect.cli import _scan_more
from dataprotect.cli._app import cli
from dataprotect.errors import ConfigurationError
from dataprotect.scan.code import CodeFinding, scan_code, to_json, to_sarif
from dataprotect.scan.ignores import (
    IgnoreList,
    load_baseline,
    save_baseline,
    triage,
)
from sarif_schema import _sarif_schema  # noqa: F401 - the fixture


INSECURE = (
    "import subprocess\n"
    "import pickle\n"
    'password = "hunter2"\n'
    'subprocess.call("ls " + password, shell=True)\n'
    "data = pickle.loads(b'')  # nosec B301\n"
    "assert data\n"
)


@pytest.fixture(name="tree")
def _tree(tmp_path) -> Path:
    """A small project: insecure code, a syntax error, a virtualenv."""
    root = tmp_path / "proj"
    (root / "app").mkdir(parents=True)
    (root / "app" / "main.py").write_text(INSECURE)
    (root / "app" / "broken.py").write_text("def (:\n")
    (root / ".venv" / "lib").mkdir(parents=True)
    (root / ".venv" / "lib" / "x.py").write_text("import pickle\n")
    (root / "README.md").write_text("# not python\n")
    return root


class TestScanCode:
    def test_findings(self, tree):
        """bandit's findings, with nosec honoured and .venv not walked."""
        notes: list[tuple[str, str]] = []
        found = scan_code([tree], notes=notes)
        rules = [f.rule for f in found]
        assert "B602" in rules  # shell=True
        assert "B105" in rules  # hard-coded password
        assert "B101" in rules  # assert
        assert "B301" not in rules  # marked nosec
        assert all(".venv" not in f.path for f in found)
        assert notes == [
            (
                str(tree / "app" / "broken.py"),
                "syntax error while parsing AST from file",
            )
        ]
        shell = next(f for f in found if f.rule == "B602")
        assert shell.severity == "high"
        assert shell.line == 4
        assert shell.column == 1
        assert shell.cwe == 78
        assert str(shell).startswith(
            f"{tree / 'app' / 'main.py'}:4:1: B602 [high/high]"
        )

    def test_filters(self, tree):
        """Severity, confidence and skipped tests narrow the report."""
        high = scan_code([tree], severity="high")
        assert {f.rule for f in high} == {"B602"}
        assert "B101" not in {f.rule for f in scan_code([tree], skip=["B101"])}
        assert {
            f.confidence for f in scan_code([tree], confidence="high")
        } == {"high"}
        assert scan_code([tree], exclude=["app", ".venv"]) == []
        with pytest.raises(ConfigurationError, match="severity"):
            scan_code([tree], severity="urgent")  # type: ignore[arg-type]  # the bad value under test

    def test_single_file_and_missing_path(self, tree):
        """A file is scanned as given; a missing path is an OSError."""
        found = scan_code([tree / "app" / "main.py"])
        assert found
        with pytest.raises(FileNotFoundError):
            scan_code([tree / "nope"])

    def test_fingerprint_survives_moving_lines(self, tree):
        """Adding lines above a finding keeps its fingerprint."""
        main = tree / "app" / "main.py"
        before = {f.rule: f.fingerprint for f in scan_code([main])}
        main.write_text("# a comment\n\n" + INSECURE)
        after = {f.rule: f.fingerprint for f in scan_code([main])}
        assert before == after

    def test_progress_counts_bytes(self, tree):
        """progress gets each scanned file's size."""
        sizes: list[int] = []
        scan_code([tree], progress=sizes.append)
        assert sum(sizes) == len(INSECURE) + len("def (:\n")

    def test_reports(self, tree, sarif_schema):
        """JSON and SARIF (valid 2.1.0) reports."""
        found = scan_code([tree])
        assert json.loads(to_json(found))[0]["rule"] == found[0].rule
        doc = json.loads(to_sarif(found))
        jsonschema.validate(doc, sarif_schema)
        levels = {r["level"] for r in doc["runs"][0]["results"]}
        assert levels == {"note", "warning", "error"} & levels
        nocwe = CodeFinding(
            "a.py", 1, 1, "B000", "x", "low", "low", "m", None, "0" * 32
        )
        jsonschema.validate(json.loads(to_sarif([nocwe])), sarif_schema)


class TestIgnoreFile:
    def test_load_and_apply(self, tmp_path, tree):
        """Entries name a rule or fingerprint, a reason and an expiry date."""
        found = scan_code([tree])
        fp = next(f.fingerprint for f in found if f.rule == "B105")
        ignore = tmp_path / "ignore.toml"
        ignore.write_text(
            "[[ignore]]\n"
            'id = "B101"\nreason = "asserts are fine in tests"\n'
            'expires = 2030-01-01\npath = "*/app/*"\n\n'
            f'[[ignore]]\nid = "{fp}"\nreason = "test fixture"\nexpires = 2020-01-01\n'
        )
        ignores = IgnoreList.load(ignore)
        new, accepted = triage(found, ignores=ignores, today=date(2029, 1, 1))
        assert {f.rule for f in accepted} == {"B101"}
        assert "B105" in {f.rule for f in new}  # its entry expired
        assert [r.id for r in ignores.expired(date(2029, 1, 1))] == [fp]
        elsewhere = IgnoreList.load(ignore).rules[0]
        assert not elsewhere.applies(
            {"B101"}, "other/x.py", today=date(2029, 1, 1)
        )

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("[[ignore]\n", "not valid TOML"),
            ('ignore = "x"\n', "only \\[\\[ignore\\]\\]"),
            ("other = 1\n", "only \\[\\[ignore\\]\\]"),
            ("ignore = [1]\n", "must be a table"),
            (
                '[[ignore]]\nreason = "r"\nexpires = 2030-01-01\n',
                "needs an id",
            ),
            (
                '[[ignore]]\nid = "B1"\nexpires = 2030-01-01\n',
                "needs a reason",
            ),
            (
                '[[ignore]]\nid = "B1"\nreason = " "\nexpires = 2030-01-01\n',
                "needs a reason",
            ),
            ('[[ignore]]\nid = "B1"\nreason = "r"\n', "expires date"),
            (
                '[[ignore]]\nid = "B1"\nreason = "r"\nexpires = "soon"\n',
                "expires date",
            ),
            (
                '[[ignore]]\nid = "B1"\nreason = "r"\nexpires = 2030-01-01\npath = 3\n',
                "path must be",
            ),
            (
                '[[ignore]]\nid = "B1"\nreason = "r"\nexpires = 2030-01-01\nuntil = 1\n',
                "unknown key",
            ),
        ],
    )
    def test_bad_ignore_files(self, tmp_path, text, message):
        """Every entry must carry an id, a reason and an expiry date."""
        ignore = tmp_path / "ignore.toml"
        ignore.write_text(text)
        with pytest.raises(ConfigurationError, match=message):
            IgnoreList.load(ignore)

    def test_baseline_round_trip(self, tmp_path, tree):
        """save_baseline writes the secrets scanner's baseline format."""
        found = scan_code([tree])
        path = tmp_path / "baseline.json"
        save_baseline(path, found)
        assert json.loads(path.read_text())["version"] == 1
        known = load_baseline(path)
        assert triage(found, baseline=known) == ([], found)
        assert load_baseline(tmp_path / "missing.json") == frozenset()


# -------------------------------------------------------------------- CLI

PACKAGE = "packaging"
INSTALLED = metadata.version(PACKAGE)


@pytest.fixture(name="osv")
def _osv(tmp_path) -> Path:
    """An OSV directory with one advisory for the installed packaging."""
    db = tmp_path / "osv"
    db.mkdir()
    fixed = f"{Version(INSTALLED).major + 1}.0"
    (db / "GHSA-cli0-0001-test.json").write_text(
        json.dumps(
            {
                "schema_version": "1.6.0",
                "id": "GHSA-cli0-0001-test",
                "modified": "2026-01-01T00:00:00Z",
                "aliases": ["CVE-2099-4242"],
                "summary": "Seeded advisory",
                "affected": [
                    {
                        "package": {"ecosystem": "PyPI", "name": PACKAGE},
                        "ranges": [
                            {
                                "type": "ECOSYSTEM",
                                "events": [
                                    {"introduced": "0"},
                                    {"fixed": fixed},
                                ],
                            }
                        ],
                    }
                ],
            }
        )
    )
    return db


@pytest.fixture(name="run")
def _run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return run


class TestCLI:
    def test_deps(self, run, osv, tmp_path):
        """scan deps reports the seeded advisory and exits 1."""
        result = run("scan", "deps", "--osv-db", str(osv))
        assert result.exit_code == 1
        assert f"packaging {INSTALLED}: CVE-2099-4242" in result.output
        assert "1 new finding(s)" in result.output
        as_json = run(
            "scan", "deps", "--env", "--osv-db", str(osv), "--format", "json"
        )
        assert json.loads(as_json.stdout)[0]["package"] == "packaging"

    def test_deps_ignore_file(self, run, osv, tmp_path):
        """An ignore entry with a reason hides the advisory until it expires."""
        today = date.today()  # noqa: DTZ011 - the CLI uses local days
        ignore = tmp_path / ".dataprotect-ignore.toml"
        ignore.write_text(
            f'[[ignore]]\nid = "GHSA-cli0-0001-test"\nreason = "not reachable"\n'
            f"expires = {today + timedelta(days=30)}\n"
        )
        ok = run("scan", "deps", "--osv-db", str(osv))  # found by default name
        assert ok.exit_code == 0, ok.output
        assert "0 new finding(s) (1 accepted)" in ok.output
        ignore.write_text(
            ignore.read_text().replace(
                str(today + timedelta(days=30)), str(today - timedelta(days=1))
            )
        )
        expired = run(
            "scan", "deps", "--osv-db", str(osv), "--ignore", str(ignore)
        )
        assert expired.exit_code == 1
        assert (
            "note: ignore entry for GHSA-cli0-0001-test expired"
            in expired.output
        )

    def test_deps_baseline(self, run, osv, tmp_path):
        """--update-baseline accepts today's findings."""
        base = tmp_path / "base.json"
        wrote = run(
            "scan",
            "deps",
            "--osv-db",
            str(osv),
            "--baseline",
            str(base),
            "--update-baseline",
        )
        assert wrote.exit_code == 0
        assert "1 finding(s) written" in wrote.output
        assert (
            run(
                "scan", "deps", "--osv-db", str(osv), "--baseline", str(base)
            ).exit_code
            == 0
        )
        no_file = run(
            "scan", "deps", "--osv-db", str(osv), "--update-baseline"
        )
        assert no_file.exit_code == 2

    def test_deps_input_errors(self, run, osv, tmp_path):
        """Unreadable or corrupt inputs: one line, exit status 2."""
        missing = run(
            "scan",
            "deps",
            "-l",
            str(tmp_path / "uv.lock"),
            "--osv-db",
            str(osv),
        )
        assert missing.exit_code == 2
        assert "No such file or directory" in missing.output
        bad = tmp_path / "uv.lock"
        bad.write_bytes(b"\x00\xff")
        corrupt = run("scan", "deps", "-l", str(bad), "--osv-db", str(osv))
        assert corrupt.exit_code == 2
        assert "not a valid TOML lock file" in corrupt.output
        (osv / "broken.json").write_text("{")
        broken = run("scan", "deps", "--osv-db", str(osv))
        assert broken.exit_code == 2
        assert "broken.json: not valid JSON" in broken.output
        assert "Traceback" not in broken.output

    def test_deps_other_environment(self, run, osv, tmp_path):
        """--site-packages audits another environment; clean exits 0."""
        site = tmp_path / "site"
        site.mkdir()
        result = run(
            "scan", "deps", "--site-packages", str(site), "--osv-db", str(osv)
        )
        assert result.exit_code == 0
        assert "0 new finding(s)" in result.output

    def test_code(self, run, tree, tmp_path, sarif_schema):
        """scan code: text, SARIF to a file, notes for unparsable files."""
        text = run("scan", "code", str(tree), "--skip", "B404")
        assert text.exit_code == 1
        assert "B602" in text.output
        assert "B404" not in text.output
        assert "note: skipped" in text.output
        out = tmp_path / "code.sarif"
        sarif = run(
            "scan", "code", str(tree), "--format", "sarif", "-o", str(out)
        )
        assert sarif.exit_code == 1
        jsonschema.validate(json.loads(out.read_text()), sarif_schema)
        args = ["scan", "code", str(tree), "--format", "json", "-o", str(out)]
        kept = run(*args)
        assert kept.exit_code == 2
        assert "--force" in kept.output
        assert run(*args, "--force").exit_code == 1
        assert json.loads(out.read_text())  # the JSON report replaced it
        # a file bandit cannot parse makes every later scan incomplete
        (tree / "app" / "broken.py").unlink()
        base = tmp_path / "code-baseline.json"
        accepted = run(
            "scan",
            "code",
            str(tree),
            "--baseline",
            str(base),
            "--update-baseline",
        )
        assert accepted.exit_code == 0
        assert (
            run("scan", "code", str(tree), "--baseline", str(base)).exit_code
            == 0
        )
        clean = run(
            "scan", "code", str(tree), "--exclude", "app", "--format", "json"
        )
        assert clean.exit_code == 0
        assert json.loads(clean.stdout) == []

    def test_all_merges_one_sarif(
        self, run, tree, osv, tmp_path, sarif_schema
    ):
        """scan all: three runs in one valid SARIF log; exit 1 on findings."""
        (tree / "settings.env").write_text(
            "GITHUB_TOKEN=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\n"  # dataprotect: allow-secret
        )
        out = tmp_path / "all.sarif"
        result = run(
            "scan",
            "all",
            str(tree),
            "--osv-db",
            str(osv),
            "--format",
            "sarif",
            "-o",
            str(out),
        )
        assert result.exit_code == 1
        doc = json.loads(out.read_text())
        jsonschema.validate(doc, sarif_schema)
        names = [r["tool"]["driver"]["name"] for r in doc["runs"]]
        assert names == ["dataprotect", "dataprotect-code", "dataprotect-deps"]
        assert all(r["results"] for r in doc["runs"])

    def test_all_text_json_and_lock_discovery(self, run, tree, osv):
        """scan all finds lock files in PATHS; text and JSON forms."""
        (tree / "uv.lock").write_text(
            f'[[package]]\nname = "packaging"\nversion = "{INSTALLED}"\n'
            'source = { registry = "https://pypi.org/simple" }\n'
        )
        text = run(
            "scan", "all", str(tree), "--osv-db", str(osv), "--skip", "B101"
        )
        assert text.exit_code == 1
        assert f"[deps] {tree / 'uv.lock'}: packaging" in text.output
        assert "[code]" in text.output
        assert "0 secrets" in text.output
        doc = json.loads(
            run(
                "scan",
                "all",
                str(tree),
                "--osv-db",
                str(osv),
                "--format",
                "json",
            ).stdout
        )
        assert set(doc) == {"secrets", "code", "deps"}

    def test_all_accepts_and_baselines(self, run, tree, osv, tmp_path):
        """The ignore file and baseline apply across the three scanners."""
        (tmp_path / ".dataprotect-allowlist").write_text("rule:none\n")
        (tree / "app" / "broken.py").unlink()  # else the scan is incomplete
        base = tmp_path / "b.json"
        scan = ["scan", "all", str(tree), "--osv-db", str(osv)]
        scan += ["--baseline", str(base)]
        assert run(*scan, "--update-baseline").exit_code == 0
        again = run(*scan)
        assert again.exit_code == 0, again.output
        assert "accepted" in again.output
        clean_root = tmp_path / "empty"
        clean_root.mkdir()
        clean = run(
            "scan",
            "all",
            str(clean_root),
            "-r",
            str(_empty_requirements(tmp_path)),
            "--osv-db",
            str(osv),
        )
        assert clean.exit_code == 0
        assert "0 new finding(s)" in clean.output

    def test_counter_on_a_terminal(self, monkeypatch):
        """The package counter draws on a terminal and is silent otherwise."""

        class Tty(io.StringIO):
            def isatty(self):
                return True

        monkeypatch.setattr(sys, "stderr", Tty())
        with _scan_more._counter("auditing") as advance:
            advance(3)


def _empty_requirements(tmp_path: Path) -> Path:
    req = tmp_path / "requirements.txt"
    req.write_text("# none\n")
    return req


class TestCouldNotCheck:
    """A scan that skipped part of its input is never a pass (issue 15)."""

    def test_code_skipped_file_exits_2(self, run, tmp_path):
        """scan code: a file bandit could not parse, no finding: exit 2."""
        (tmp_path / "broken.py").write_text("def (:\n")
        (tmp_path / "fine.py").write_text("x = 1\n")
        result = run("scan", "code", str(tmp_path))
        assert result.exit_code == 2
        lines = result.stderr.splitlines()
        assert lines[0].startswith(f"note: skipped {tmp_path / 'broken.py'}")
        assert lines[-1] == (
            "Error: 1 input(s) could not be scanned, so the scan is incomplete"
        )

    def test_all_skipped_file_exits_2(self, run, tmp_path, osv):
        """scan all: a skipped file and no finding: exit 2."""
        (tmp_path / "broken.py").write_text("def (:\n")
        req = tmp_path / "requirements.txt"
        req.write_text("six==1.16.0\n")
        result = run(
            "scan", "all", str(tmp_path), "--osv-db", str(osv), "-r", str(req)
        )
        assert result.exit_code == 2, result.output
        assert result.stderr.splitlines()[-1] == (
            "Error: 1 input(s) could not be scanned, so the scan is incomplete"
        )

    def test_deps_service_unreachable(self, run, tmp_path, monkeypatch):
        """scan deps with the OSV service behind a closed port: one line, exit 2."""
        from helpers import free_port

        req = tmp_path / "requirements.txt"
        req.write_text("packaging==20.0\n")
        proxy = f"http://127.0.0.1:{free_port()}"
        for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY"):
            monkeypatch.setenv(name, proxy)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        result = run("scan", "deps", "-r", str(req))
        assert result.exit_code == 2
        assert result.stderr == (
            "Error: the OSV vulnerability service could not be reached "
            "(use an offline database)\n"
        )
