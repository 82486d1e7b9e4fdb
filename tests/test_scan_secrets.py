"""Tests for dataprotect.scan.secrets: rules, corpus accuracy, trees, CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zlib

from collections import defaultdict
from pathlib import Path

import pytest

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from dataprotect.cli._app import cli
from dataprotect.errors import ConfigurationError
from dataprotect.scan.secrets import (
    Allowlist,
    Baseline,
    SecretFinding,
    load_rules,
    scan_paths,
    scan_text,
    to_json,
    to_sarif,
)


VECTORS = Path(__file__).parent / "vectors" / "secrets"
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def crc_token(prefix: str, body: str) -> str:
    n, check = zlib.crc32(body.encode()), ""
    while n:
        n, r = divmod(n, 62)
        check = BASE62[r] + check
    return f"{prefix}_{body}{check.rjust(6, '0')}"


GH = crc_token("ghp", "wWbO1dC0yZk8gfnxQ2mR7sT4uV6aB3")


def load_corpus() -> list[dict[str, object]]:
    with (VECTORS / "corpus.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


class TestCorpus:
    """Line-level precision and recall on the labelled corpus."""

    def test_precision_recall(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Overall and per-rule precision/recall meet 0.95; printed per rule."""
        tp: dict[str, int] = defaultdict(int)
        fp: dict[str, int] = defaultdict(int)
        fn: dict[str, int] = defaultdict(int)
        for rec in load_corpus():
            got = {(f.line, f.rule) for f in scan_text(str(rec["text"]))}
            want = {(rec["line"], rec["rule"])} if rec["rule"] else set()
            for item in got - want:
                fp[item[1]] += 1
            for item in want:
                if item in got:
                    tp[item[1]] += 1
                else:
                    fn[item[1]] += 1
        rules = sorted(set(tp) | set(fp) | set(fn))
        with capsys.disabled():
            print(
                "\nrule                          precision  recall   tp  fp  fn"
            )
            for r in rules:
                p = tp[r] / ((tp[r] + fp[r]) or 1)
                rc = tp[r] / ((tp[r] + fn[r]) or 1)
                print(
                    f"{r:30s} {p:9.3f} {rc:7.3f} {tp[r]:4d} {fp[r]:3d} {fn[r]:3d}"
                )
            t, f, n = sum(tp.values()), sum(fp.values()), sum(fn.values())
            print(
                f"{'overall':30s} {t / (t + f):9.3f} {t / (t + n):7.3f} {t:4d} {f:3d} {n:3d}"
            )
        assert t / (t + f) >= 0.95
        assert t / (t + n) >= 0.95
        for r in rules:
            assert tp[r] / ((tp[r] + fn[r]) or 1) >= 0.9, r

    def test_covers_thirty_rules(self) -> None:
        """The corpus has positives for at least 30 distinct rules."""
        rules = {rec["rule"] for rec in load_corpus() if rec["rule"]}
        assert len(rules) >= 30

    @pytest.mark.parametrize(
        "category", ["bad-checksum", "documented-example"]
    )
    def test_never_reported(self, category: str) -> None:
        """Every checksum-invalid token and every documented example is ignored."""
        records = [r for r in load_corpus() if r["category"] == category]
        assert len(records) >= 40
        for rec in records:
            assert scan_text(str(rec["text"])) == [], rec["id"]

    def test_corpus_is_reproducible(self, tmp_path: Path) -> None:
        """The committed corpus is what the seeded generator writes."""
        import runpy

        ns = runpy.run_path(str(VECTORS / "generate.py"), run_name="corpus")
        ns["main"].__globals__["OUT"] = tmp_path / "c.jsonl"
        ns["main"]()
        assert (tmp_path / "c.jsonl").read_bytes() == (
            VECTORS / "corpus.jsonl"
        ).read_bytes()


class TestScanText:
    """Findings on single texts."""

    def test_github_token(self) -> None:
        """A valid GitHub token: kind, line, column, verified checksum."""
        [f] = scan_text(f'import os\ntoken = "{GH}"\n', filename="a.py")
        assert (f.path, f.line, f.column) == ("a.py", 2, 10)
        assert (f.rule, f.kind, f.checksum_valid) == (
            "github-token",
            "github_token",
            True,
        )
        assert GH not in f.preview
        assert GH not in repr(f)
        assert GH not in str(f)

    def test_bad_checksum_ignored(self) -> None:
        """A GitHub token with a wrong checksum is not a finding."""
        bad = GH[:-1] + ("A" if GH[-1] != "A" else "B")
        assert scan_text(f'token = "{bad}"') == []

    def test_no_checksum_is_none(self) -> None:
        """Formats without a checksum report checksum_valid None."""
        [f] = scan_text(
            "key = AKIA2E3MUJEXQ7BQ5ZVP"
        )  # dataprotect: allow-secret
        assert f.kind == "aws_access_key_id"
        assert f.checksum_valid is None

    def test_pragma(self) -> None:
        """The inline pragma suppresses its line only."""
        text = f'a = "{GH}"  # dataprotect: allow-secret\nb = "{GH}"\n'
        assert [f.line for f in scan_text(text)] == [2]

    def test_bytes_and_invalid_utf8(self) -> None:
        """Bytes are decoded with replacement; invalid UTF-8 does not stop the scan."""
        found = scan_text(b"\xff\xfe\x00junk\n" + f"t={GH}".encode())
        assert [f.line for f in found] == [2]

    def test_type_error(self) -> None:
        """A non-text argument is a TypeError."""
        with pytest.raises(TypeError):
            scan_text(42)  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        "text",
        [
            'password = os.environ["PASSWORD"]',
            "api_key = ${API_KEY}",
            'secret = "<your-secret-here>"',
            'integrity="sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC"',
            'commit = "1f3a9c2d4b5e6f708192a3b4c5d6e7f801234567"',
            'token_id = "3fa85f64-5717-4562-b3fc-2c963f66afa6"',
            'img = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"',
            "AKIAIOSFODNN7EXAMPLE",
            "postgresql://user:password@localhost/db",
        ],
    )
    def test_lookalikes(self, text: str) -> None:
        """Environment references, placeholders, hashes, UUIDs, images: nothing."""
        assert scan_text(text) == []

    def test_huge_single_line(self) -> None:
        """A multi-megabyte minified line is scanned without trouble."""
        text = ("var a=function(b){return b+1};" * 150_000) + f'x="{GH}"'
        [f] = scan_text(text)
        assert f.line == 1
        assert f.column > 4_000_000

    def test_dataprotect_token(self) -> None:
        """dataprotect's own tokens are found when their CRC32 holds."""
        tok = crc_token("acme", "Zx3Yb2Wc1Vd0Ue9Tf8Sg7Rh6Qi5Pj4")
        [f] = scan_text(f"service_token: {tok}")
        assert f.kind == "dataprotect_token"
        assert f.checksum_valid is True
        assert scan_text(f"service_token: {tok[:-1]}Q") == [] or tok[-1] == "Q"


class TestRules:
    """Rules are data."""

    def test_builtin_count(self) -> None:
        """At least 30 built-in rules with unique ids."""
        rules = load_rules()
        assert len(rules) >= 30
        assert len({r.id for r in rules}) == len(rules)

    def test_user_rules(self, tmp_path: Path) -> None:
        """A user TOML file adds a rule without code."""
        path = tmp_path / "mine.toml"
        path.write_text(
            "[[rule]]\nid = 'acme-key'\nkind = 'acme_key'\n"
            "keywords = ['acme-']\nregex = '''\\bacme-(?P<secret>[0-9a-f]{24})\\b'''\n",
            encoding="utf-8",
        )
        rules = load_rules([path])
        [f] = scan_text("k = acme-0123456789abcdef01234567", rules=rules)
        assert f.rule == "acme-key"

    @pytest.mark.parametrize(
        "body",
        [
            "[[rule]]\nid='x'\n",
            "[[rule]]\nid='x'\nkind='y'\nregex='('\n",
            "not toml [",
        ],
    )
    def test_bad_rules(self, tmp_path: Path, body: str) -> None:
        """Invalid rule files raise ConfigurationError with a fixed message."""
        path = tmp_path / "bad.toml"
        path.write_text(body, encoding="utf-8")
        with pytest.raises(ConfigurationError):
            load_rules([path])

    def test_duplicate_id(self, tmp_path: Path) -> None:
        """A user rule may not reuse a built-in id."""
        path = tmp_path / "dup.toml"
        path.write_text(
            "[[rule]]\nid='jwt'\nkind='x'\nregex='x'\n", encoding="utf-8"
        )
        with pytest.raises(ConfigurationError):
            load_rules([path])


def _tree(root: Path) -> None:
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text(f'TOKEN = "{GH}"\n', encoding="utf-8")
    (root / "ignored").mkdir()
    (root / "ignored" / "x.py").write_text(
        f'TOKEN = "{GH}"\n', encoding="utf-8"
    )
    (root / ".gitignore").write_text("ignored/\n*.log\n", encoding="utf-8")
    (root / "debug.log").write_text(f"{GH}\n", encoding="utf-8")
    (root / "package-lock.json").write_text(f'"x": "{GH}"\n', encoding="utf-8")
    (root / "node_modules" / "lib").mkdir(parents=True)
    (root / "node_modules" / "lib" / "i.js").write_text(
        f"'{GH}'", encoding="utf-8"
    )
    (root / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0" + GH.encode())
    (root / "blob.dat2").write_bytes(b"\0\0\0" + GH.encode())
    (root / "bad.txt").write_bytes(b"\xff\xfe\xfd " + f"t={GH}".encode())


class TestScanPaths:
    """Walking trees and history."""

    def test_plain_tree(self, tmp_path: Path) -> None:
        """.gitignore, lock files, vendored and binary files are skipped."""
        _tree(tmp_path)
        found = sorted(
            Path(f.path or "").relative_to(tmp_path).as_posix()
            for f in scan_paths([tmp_path], jobs=1)
        )
        assert found == ["bad.txt", "src/app.py"]

    def test_git_tree(self, tmp_path: Path) -> None:
        """Inside a git work tree, git's own ignore rules decide."""
        if shutil.which("git") is None:
            pytest.skip("git is not installed")
        _tree(tmp_path)
        subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
        found = sorted(
            Path(f.path or "").relative_to(tmp_path).as_posix()
            for f in scan_paths([tmp_path], jobs=1)
        )
        assert found == ["bad.txt", "src/app.py"]

    def test_history(self, tmp_path: Path) -> None:
        """A secret removed in a later commit is found only with history=True."""
        if shutil.which("git") is None:
            pytest.skip("git is not installed")
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@t",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@t",
        }

        def run(*a):
            return subprocess.run(
                ["git", *a],
                cwd=tmp_path,
                check=True,
                env=env,
                capture_output=True,
            )

        run("init", "-q")
        (tmp_path / "a.py").write_text(
            f"x = 1\ntoken = '{GH}'\n", encoding="utf-8"
        )
        run("add", "a.py")
        run("commit", "-qm", "add")
        (tmp_path / "a.py").write_text("x = 1\n", encoding="utf-8")
        run("commit", "-qam", "remove")
        assert list(scan_paths([tmp_path], jobs=1)) == []
        [f] = scan_paths([tmp_path], jobs=1, history=True)
        assert f.path is not None
        assert f.path.startswith("a.py@")
        assert f.line == 2

    def test_symlinks_and_missing(self, tmp_path: Path) -> None:
        """Symlink loops, dangling links and missing paths give notes, no crash."""
        (tmp_path / "loop1").symlink_to(tmp_path / "loop2")
        (tmp_path / "loop2").symlink_to(tmp_path / "loop1")
        (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
        (tmp_path / "dirlink").symlink_to(tmp_path)
        (tmp_path / "ok.py").write_text(f"t = '{GH}'", encoding="utf-8")
        notes: list[tuple[str, str]] = []
        found = list(
            scan_paths([tmp_path, tmp_path / "missing"], jobs=1, notes=notes)
        )
        assert len(found) == 1
        assert any("does not exist" in r for _p, r in notes)

    def test_unreadable(self, tmp_path: Path) -> None:
        """An unreadable file is noted and the scan goes on."""
        bad = tmp_path / "secret.txt"
        bad.write_text(GH, encoding="utf-8")
        bad.chmod(0)
        (tmp_path / "ok.py").write_text(f"t = '{GH}'", encoding="utf-8")
        notes: list[tuple[str, str]] = []
        found = list(scan_paths([tmp_path], jobs=1, notes=notes))
        if os.geteuid() == 0:
            assert len(found) == 2  # root reads everything
        else:
            assert len(found) == 1
            assert notes

    def test_processes(self, tmp_path: Path) -> None:
        """Several worker processes find exactly what one process finds."""
        for i in range(80):
            body = f"{i:02d}" + "Ab3Cd4Ef5Gh6Ij7Kl8Mn9Op0Qr1St"[:28]
            (tmp_path / f"f{i}.py").write_text(
                f"t{i} = '{crc_token('ghp', body)}'\n", encoding="utf-8"
            )
        one = sorted(
            scan_paths([tmp_path], jobs=1), key=lambda f: f.path or ""
        )
        two = sorted(
            scan_paths([tmp_path], jobs=2), key=lambda f: f.path or ""
        )
        assert one == two
        assert len(one) == 80

    def test_progress(self, tmp_path: Path) -> None:
        """The progress callback receives every byte read."""
        (tmp_path / "a.txt").write_text("hello\n", encoding="utf-8")
        seen: list[int] = []
        list(scan_paths([tmp_path / "a.txt"], progress=seen.append))
        assert sum(seen) == 6


class TestSuppression:
    """Allowlists and baselines."""

    def test_allowlist(self, tmp_path: Path) -> None:
        """path:, rule:, fingerprint: and regex: entries each allow findings."""
        f = SecretFinding(
            "tests/x.py",
            1,
            1,
            "github-token",
            "github_token",
            True,
            "ghp_ab…[40 chars]",
            "ab" * 16,
        )
        for line in [
            "path:tests/*",
            "rule:github-token",
            f"fingerprint:{'ab' * 16}",
            "regex:^ghp_",
        ]:
            (tmp_path / "allow").write_text(
                f"# c\n{line}  # why\n", encoding="utf-8"
            )
            assert Allowlist.load(tmp_path / "allow").allows(f)
        (tmp_path / "allow").write_text("path:src/*\n", encoding="utf-8")
        assert not Allowlist.load(tmp_path / "allow").allows(f)

    @pytest.mark.parametrize(
        "body", ["nonsense\n", "colour:red\n", "regex:(\n"]
    )
    def test_bad_allowlist(self, tmp_path: Path, body: str) -> None:
        """Malformed allowlist lines raise ConfigurationError."""
        (tmp_path / "allow").write_text(body, encoding="utf-8")
        with pytest.raises(ConfigurationError):
            Allowlist.load(tmp_path / "allow")

    def test_baseline_round_trip(self, tmp_path: Path) -> None:
        """Saved findings are in the loaded baseline, even on another line."""
        [f] = scan_text(f"t = '{GH}'", filename="a.py")
        Baseline.save(tmp_path / "b.json", [f])
        assert GH not in (tmp_path / "b.json").read_text(encoding="utf-8")
        base = Baseline.load(tmp_path / "b.json")
        [moved] = scan_text(f"\n\nt = '{GH}'", filename="a.py")
        assert moved in base
        [other] = scan_text(f"t = '{GH}'", filename="b.py")
        assert other not in base
        assert Baseline.load(tmp_path / "missing.json").entries == frozenset()

    @pytest.mark.parametrize(
        "body", ["{", '{"version": 2}', '{"version": 1, "findings": [{}]}']
    )
    def test_bad_baseline(self, tmp_path: Path, body: str) -> None:
        """A corrupt baseline raises ConfigurationError."""
        (tmp_path / "b.json").write_text(body, encoding="utf-8")
        with pytest.raises(ConfigurationError):
            Baseline.load(tmp_path / "b.json")


class TestReports:
    """JSON and SARIF output."""

    def test_json(self) -> None:
        """JSON output lists each finding's fields and no secret."""
        out = to_json(scan_text(f"t = '{GH}'", filename="a.py"))
        assert GH not in out
        [item] = json.loads(out)
        assert item["rule"] == "github-token"
        assert item["line"] == 1

    def test_sarif(self) -> None:
        """SARIF 2.1.0 with rules, results, regions and fingerprints."""
        doc = json.loads(
            to_sarif(scan_text(f"t = '{GH}'", filename="src/a.py"))
        )
        assert doc["version"] == "2.1.0"
        run = doc["runs"][0]
        ids = {r["id"] for r in run["tool"]["driver"]["rules"]}
        [res] = run["results"]
        assert res["ruleId"] in ids
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"] == "src/a.py"
        assert loc["region"] == {"startLine": 1, "startColumn": 6}
        assert GH not in json.dumps(doc)


class TestProperties:
    """Hypothesis invariants."""

    @settings(max_examples=60, deadline=None)
    @given(st.binary(max_size=2000))
    def test_arbitrary_bytes(self, data: bytes) -> None:
        """Arbitrary bytes never raise."""
        for f in scan_text(data):
            assert f.line >= 1
            assert f.column >= 1

    @settings(max_examples=60, deadline=None)
    @given(
        st.text(max_size=500),
        st.text(alphabet=BASE62, min_size=30, max_size=30),
        st.sampled_from(["ghp", "gho", "npm", "acme"]),
        st.text(max_size=200),
    )
    def test_preview_never_whole_secret(
        self, before: str, body: str, prefix: str, after: str
    ) -> None:
        """A valid token between arbitrary text is found; no preview holds it."""
        token = crc_token(prefix, body)
        found = scan_text(f"{before}\n{token}\n{after}")
        assert any(f.line == before.count("\n") + 2 for f in found)
        for f in found:
            assert token not in f.preview
            assert token not in str(f)

    @settings(max_examples=40, deadline=None)
    @given(st.text(min_size=8, max_size=80))
    def test_generic_preview(self, value: str) -> None:
        """Whatever the generic rule reports, the preview is a strict prefix."""
        for f in scan_text(f'password = "{value}"'):
            assert value not in f.preview or len(value) < 2


class TestTreeProperties:
    """scan_paths on arbitrary file contents."""

    @settings(max_examples=25, deadline=None)
    @given(st.lists(st.binary(max_size=3000), min_size=1, max_size=5))
    def test_arbitrary_files(self, blobs: list[bytes]) -> None:
        """Files of arbitrary bytes never make the scan raise."""
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            for i, blob in enumerate(blobs):
                (Path(tmp) / f"f{i}.txt").write_bytes(blob)
            for f in scan_paths([tmp], jobs=1):
                assert f.line >= 1


class TestCLI:
    """dataprotect scan secrets."""

    def test_exit_codes(self, tmp_path: Path) -> None:
        """Exit 1 with findings, 0 without; text report names the file."""
        (tmp_path / "a.py").write_text(f"t = '{GH}'\n", encoding="utf-8")
        res = CliRunner().invoke(cli, ["scan", "secrets", str(tmp_path)])
        assert res.exit_code == 1
        assert "a.py:1:6" in res.output
        assert GH not in res.output
        (tmp_path / "a.py").write_text("t = 1\n", encoding="utf-8")
        res = CliRunner().invoke(cli, ["scan", "secrets", str(tmp_path)])
        assert res.exit_code == 0

    @pytest.mark.parametrize("fmt", ["json", "sarif"])
    def test_formats(self, tmp_path: Path, fmt: str) -> None:
        """JSON and SARIF reports parse."""
        (tmp_path / "a.py").write_text(f"t = '{GH}'\n", encoding="utf-8")
        out = tmp_path / f"report.{fmt}"
        res = CliRunner().invoke(
            cli,
            [
                "scan",
                "secrets",
                "--format",
                fmt,
                "-o",
                str(out),
                str(tmp_path / "a.py"),
            ],
        )
        assert res.exit_code == 1
        assert json.loads(out.read_text(encoding="utf-8"))

    def test_baseline(self, tmp_path: Path) -> None:
        """After --update-baseline only new findings fail the run."""
        (tmp_path / "a.py").write_text(f"t = '{GH}'\n", encoding="utf-8")
        base = str(tmp_path / "baseline.json")
        target = str(tmp_path / "a.py")
        res = CliRunner().invoke(
            cli,
            [
                "scan",
                "secrets",
                "--baseline",
                base,
                "--update-baseline",
                target,
            ],
        )
        assert res.exit_code == 0
        res = CliRunner().invoke(
            cli, ["scan", "secrets", "--baseline", base, target]
        )
        assert res.exit_code == 0
        other = crc_token("npm", "Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0Lz9")
        (tmp_path / "a.py").write_text(
            f"t = '{GH}'\nn = '{other}'\n", encoding="utf-8"
        )
        res = CliRunner().invoke(
            cli, ["scan", "secrets", "--baseline", base, target]
        )
        assert res.exit_code == 1
        assert "npm_token" in res.output
        assert "github" not in res.output

    def test_usage_errors(self, tmp_path: Path) -> None:
        """Bad options exit 2 with one line, no traceback."""
        res = CliRunner().invoke(
            cli, ["scan", "secrets", "--update-baseline", str(tmp_path)]
        )
        assert res.exit_code == 2
        assert "Traceback" not in res.output
        bad = tmp_path / "r.toml"
        bad.write_text("[[rule]]\n", encoding="utf-8")
        res = CliRunner().invoke(
            cli, ["scan", "secrets", "--rules", str(bad), str(tmp_path)]
        )
        assert res.exit_code == 2

    def test_demo_step(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The demo step finds the fake tokens and nothing else."""
        from dataprotect.cli._scan import demo_step

        demo_step(tmp_path)
        out = capsys.readouterr().out
        assert "3 findings" in out


def test_pre_commit_manifest() -> None:
    """The repository ships a pre-commit hook manifest for the scanner."""
    text = (Path(__file__).parent.parent / ".pre-commit-hooks.yaml").read_text(
        encoding="utf-8"
    )
    assert "dataprotect scan secrets" in text
    assert sys.version_info >= (3, 10)
