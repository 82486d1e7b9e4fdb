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
from dataprotect.cli._errors import InputError
from dataprotect.errors import ConfigurationError, DataProtectError
from dataprotect.scan.secrets import (
    Allowlist,
    Baseline,
    Rule,
    SecretFinding,
    load_rules,
    scan_paths,
    scan_text,
    to_json,
    to_sarif,
)
from helpers import require_binary


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
        [f] = scan_text("k = acme-9f2c41d7e08b356a1c7d40e9", rules=rules)
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


def _rules_file(tmp_path: Path, body: str) -> list[Rule]:
    """The built-in rules plus the user rules in *body* (TOML)."""
    path = tmp_path / "user-rules.toml"
    path.write_text(body, encoding="utf-8")
    return load_rules([path])


def _git(cwd: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
    }
    subprocess.run(
        ["git", *args], cwd=cwd, check=True, env=env, capture_output=True
    )


class TestRuleFiles:
    """Malformed rule files and the checks user rules can ask for."""

    @pytest.mark.parametrize(
        "body",
        [
            "[[rule]]\nid='x'\nkind='y'\n",
            "[[rule]]\nid='x'\nkind='y'\ntype='magicword'\nregex='x'\n",
            "[[rule]]\nid='x'\nkind='y'\nregex='x'\nchecksum='luhnish'\n",
            "rule = 'magicword'\n",
            "[[rule]]\nid='x'\nkind='y'\nregex='x'\nanchor='('\n",
        ],
    )
    def test_rejected(self, tmp_path: Path, body: str) -> None:
        """A missing regex, unknown type or checksum, or non-array is a fixed-message error."""
        path = tmp_path / "bad.toml"
        path.write_text(body, encoding="utf-8")
        with pytest.raises(ConfigurationError) as info:
            load_rules([path])
        assert "magicword" not in str(info.value)
        assert "luhnish" not in str(info.value)
        assert str(info.value).startswith("rules file")

    def test_assignment_without_regex(self, tmp_path: Path) -> None:
        """An assignment rule loads without a regex."""
        rules = _rules_file(
            tmp_path,
            "[[rule]]\nid='acme-assign'\nkind='acme'\ntype='assignment'\n"
            "keywords=['acme_secret']\n",
        )
        [rule] = [r for r in rules if r.id == "acme-assign"]
        assert rule.regex is None
        [f] = scan_text('acme_secret = "Qw8Er7Ty6Ui5Op4As3"', rules=[rule])
        assert f.rule == "acme-assign"

    @pytest.mark.parametrize(
        ("checksum", "regex", "text"),
        [
            # a CRC token check on a body that is not 30 + 6 characters
            (
                "github",
                r"\b(?P<secret>zzt_[A-Za-z0-9]{20})\b",
                "zzt_" + "Ab3" * 6 + "Xy",
            ),
            # an age check on characters outside the bech32 alphabet
            (
                "age",
                r"\b(?P<secret>AGE-SECRET-KEY-1[A-Z0-9]{58})\b",
                "AGE-SECRET-KEY-1" + ("BIO" * 20)[:58],
            ),
            # a JWT check on a candidate without the three dotted parts
            (
                "jwt",
                r"\b(?P<secret>zzj[A-Za-z0-9]{20})\b",
                "zzj" + "Ab3" * 6 + "XY",
            ),
        ],
    )
    def test_checksum_rejects_malformed(
        self, tmp_path: Path, checksum: str, regex: str, text: str
    ) -> None:
        """A user rule's checksum rejects malformed candidates without raising."""
        rules = _rules_file(
            tmp_path,
            f"[[rule]]\nid='u'\nkind='u'\nregex='''{regex}'''\n"
            f"checksum='{checksum}'\n",
        )
        assert scan_text(f"value: {text}\n", rules=rules) == []
        unchecked = _rules_file(
            tmp_path, f"[[rule]]\nid='u'\nkind='u'\nregex='''{regex}'''\n"
        )
        assert len(scan_text(f"value: {text}\n", rules=unchecked)) == 1

    def test_min_entropy(self, tmp_path: Path) -> None:
        """A candidate below the rule's min_entropy is no finding."""
        rules = _rules_file(
            tmp_path,
            "[[rule]]\nid='u'\nkind='u'\nregex='''zzk-(?P<secret>[a-z0-9]{24})'''\n"
            "min_entropy=3.0\n",
        )
        assert scan_text("k = zzk-" + "ab" * 12, rules=rules) == []
        [f] = scan_text("k = zzk-q7w3e9r1t5y8u2i4o6p0a1s3", rules=rules)
        assert f.rule == "u"

    @pytest.mark.parametrize(
        ("regex", "column", "length"),
        [
            (r"\bzzg-([0-9a-f]{24})\b", 9, 24),
            (r"zzg-[0-9a-f]{24}", 5, 28),
        ],
    )
    def test_secret_group(
        self, tmp_path: Path, regex: str, column: int, length: int
    ) -> None:
        """Without a 'secret' group, group 1 or else the whole match is the secret."""
        rules = _rules_file(
            tmp_path, f"[[rule]]\nid='u'\nkind='u'\nregex='''{regex}'''\n"
        )
        [f] = scan_text("k = zzg-9f2c41d7e08b356a1c7d40e9", rules=rules)
        assert f.column == column
        assert f.preview.endswith(f"[{length} chars]")

    @pytest.mark.parametrize(
        "extra",
        [
            "",  # the plain path
            "anchor='''zze:'''\nwindow=40\n",  # the anchored path
        ],
    )
    @pytest.mark.parametrize("boundary", ["", r"\b"])
    def test_empty_secret_group(
        self, tmp_path: Path, extra: str, boundary: str
    ) -> None:
        """A match whose secret group is empty is no finding."""
        rules = _rules_file(
            tmp_path,
            f"[[rule]]\nid='u'\nkind='u'\n"
            f"regex='''{boundary}zze:(?P<secret>[A-Za-z0-9]*)'''\n{extra}",
        )
        assert scan_text("x zze: y\n", rules=rules) == []
        [f] = scan_text("x zze:Qw8Er7Ty6Ui5\n", rules=rules)
        assert f.preview.endswith("[12 chars]")

    def test_word_boundary(self, tmp_path: Path) -> None:
        r"""A leading \b in a rule is honoured: no match inside a word."""
        rules = _rules_file(
            tmp_path,
            "[[rule]]\nid='u'\nkind='u'\nregex='''\\bzzw-[0-9a-f]{24}'''\n",
        )
        body = "zzw-9f2c41d7e08b356a1c7d40e9"
        assert scan_text(f"k = a{body}", rules=rules) == []
        assert scan_text(f"k = _{body}", rules=rules) == []
        assert [f.column for f in scan_text(f"k = {body}", rules=rules)] == [5]
        assert [f.column for f in scan_text(f"{body}", rules=rules)] == [1]

    def test_short_pem_like_preview(self, tmp_path: Path) -> None:
        """A short PEM-looking secret's preview reveals none of it."""
        rules = _rules_file(
            tmp_path,
            "[[rule]]\nid='u'\nkind='u'\nregex='''-----BEGIN ZZ-----[A-Z]{4}'''\n",
        )
        [f] = scan_text("-----BEGIN ZZ-----QWER\n", rules=rules)
        assert f.preview == "…[22 chars]"

    def test_assignment_rule_without_keywords(self, tmp_path: Path) -> None:
        """An assignment rule must name its keywords (else it could never match)."""
        with pytest.raises(ConfigurationError, match="needs keywords"):
            _rules_file(
                tmp_path,
                "[[rule]]\nid='any-assign'\nkind='x'\ntype='assignment'\n",
            )


class TestGenericValues:
    """Where the generic assignment rule draws the line."""

    @pytest.mark.parametrize(
        "text",
        [
            'api_key = "deadbeef1234"',  # short hex
            'token = "Ab3+Cd4/Ef"',  # short base64
            'secret = "/etc/app/x7Kp9Qz2"',  # a path
            'secret = "https://x7Kp9Qz2.internal"',  # a URL
            'api_key = "3f9a1c7e5b2d4068a9e1f3c5b7d9024680acebdf"',  # a digest
        ],
    )
    def test_not_secrets(self, text: str) -> None:
        """Short hex or base64, paths, URLs and digest-sized hex under a key name: nothing."""
        assert scan_text(text) == []

    @pytest.mark.parametrize(
        "text",
        [
            'auth_token = "3f9a1c7e5b2d4068a9e1f3c5b7d9024680acebdf"',
            'client_secret = "3f9a1c7e5b2d4068a9e1f3c5b7d9024680acebdf"',
            'token = "Ab3+Cd4/Ef5_Gh6-Ij7"',
        ],
    )
    def test_secrets(self, text: str) -> None:
        """Digest-sized hex under a token or secret name, long base64: findings."""
        [f] = scan_text(text)
        assert f.rule == "generic-secret"
        value = text.split('"')[1]
        assert value not in f.preview


def _broken_git(tmp_path: Path) -> Path:
    """A directory holding a 'git' that is executable but cannot run."""
    bindir = tmp_path / "broken-bin"
    bindir.mkdir()
    (bindir / "git").write_bytes(b"\x7fELF\x00not a program")
    (bindir / "git").chmod(0o755)
    return bindir


class TestWalk:
    """Which files a tree scan reads, and the notes it leaves."""

    def test_minified_skipped(self, tmp_path: Path) -> None:
        """Minified scripts and source maps are skipped; plain scripts are not."""
        for name in ("app.min.js", "app.min.css", "app.js.map", "app.js"):
            (tmp_path / name).write_text(f"t='{GH}'\n", encoding="utf-8")
        found = [Path(f.path or "").name for f in scan_paths([tmp_path])]
        assert found == ["app.js"]

    def test_oversized_file(self, tmp_path: Path) -> None:
        """A file over the size limit is noted and not read."""
        from dataprotect.scan._walk import MAX_BYTES

        big = tmp_path / "big.txt"
        with big.open("wb") as fh:
            fh.truncate(MAX_BYTES + 1)  # sparse: no disk space used
        (tmp_path / "ok.py").write_text(f"t = '{GH}'", encoding="utf-8")
        notes: list[tuple[str, str]] = []
        sizes: list[int] = []
        found = list(
            scan_paths([tmp_path], jobs=1, notes=notes, progress=sizes.append)
        )
        assert [Path(f.path or "").name for f in found] == ["ok.py"]
        assert notes == [(str(big), "larger than the size limit")]
        assert 0 in sizes

    def test_unopenable_file(self, tmp_path: Path) -> None:
        """A named file that cannot be opened (a socket) is noted, even for root."""
        import socket

        path = tmp_path / "s"
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind(str(path))
            notes: list[tuple[str, str]] = []
            assert list(scan_paths([path], notes=notes)) == []
        [(where, why)] = notes
        assert where == str(path)
        assert why.startswith("unreadable (")

    def test_name_too_long(self, tmp_path: Path) -> None:
        """A path whose name is too long to stat is noted, not raised."""
        notes: list[tuple[str, str]] = []
        assert list(scan_paths([tmp_path / ("x" * 300)], notes=notes)) == []
        [(_where, why)] = notes
        assert why.startswith("unreadable (")

    def test_tree_deeper_than_path_max(self, tmp_path: Path) -> None:
        """Directories too deep to list are noted; the rest of the tree is scanned."""
        (tmp_path / "ok.py").write_text(f"t = '{GH}'", encoding="utf-8")
        fd = os.open(tmp_path, os.O_RDONLY)
        try:
            for _ in range(18):  # 18 * 251 characters > PATH_MAX (4096)
                os.mkdir("d" * 250, dir_fd=fd)
                nxt = os.open("d" * 250, os.O_RDONLY, dir_fd=fd)
                os.close(fd)
                fd = nxt
        finally:
            os.close(fd)
        notes: list[tuple[str, str]] = []
        try:
            found = list(scan_paths([tmp_path], jobs=1, notes=notes))
        finally:
            shutil.rmtree(tmp_path / ("d" * 250))
        assert [Path(f.path or "").name for f in found] == ["ok.py"]
        assert notes
        assert all(why.startswith("unreadable (") for _p, why in notes)

    def test_fifos_skipped(self, tmp_path: Path) -> None:
        """FIFOs and links to them are skipped instead of blocking the scan."""
        os.mkfifo(tmp_path / "pipe")
        (tmp_path / "pipe-link").symlink_to(tmp_path / "pipe")
        (tmp_path / "ok.py").write_text(f"t = '{GH}'", encoding="utf-8")
        notes: list[tuple[str, str]] = []
        found = list(scan_paths([tmp_path], jobs=1, notes=notes))
        assert [Path(f.path or "").name for f in found] == ["ok.py"]
        assert notes == []

    def test_without_pathspec(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without pathspec, plain .gitignore names and globs still apply."""
        monkeypatch.setitem(sys.modules, "pathspec", None)
        _tree(tmp_path)
        with (tmp_path / ".gitignore").open("a", encoding="utf-8") as fh:
            fh.write("# a comment\n!keep.log\n\n")
        found = sorted(
            Path(f.path or "").relative_to(tmp_path).as_posix()
            for f in scan_paths([tmp_path], jobs=1)
        )
        assert found == ["bad.txt", "src/app.py"]

    def test_git_missing(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without git on PATH a repository is walked (.gitignore honoured); no history."""
        if shutil.which("git") is None:
            pytest.skip("git is not installed")
        _tree(tmp_path)
        _git(tmp_path, "init", "-q")
        _git(tmp_path, "add", "src/app.py")
        _git(tmp_path, "commit", "-qm", "add")
        (tmp_path / "empty-bin").mkdir()
        monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
        found = sorted(
            Path(f.path or "").relative_to(tmp_path).as_posix()
            for f in scan_paths([tmp_path], jobs=1, history=True)
        )
        assert found == ["bad.txt", "src/app.py"]

    def test_git_broken(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A git that cannot be executed falls back to walking; history yields nothing."""
        if shutil.which("git") is None:
            pytest.skip("git is not installed")
        repo = tmp_path / "repo"
        repo.mkdir()
        _tree(repo)
        _git(repo, "init", "-q")
        _git(repo, "add", "src/app.py")
        _git(repo, "commit", "-qm", "add")
        monkeypatch.setenv("PATH", str(_broken_git(tmp_path)))
        found = sorted(
            Path(f.path or "").relative_to(repo).as_posix()
            for f in scan_paths([repo], jobs=1, history=True)
        )
        assert found == ["bad.txt", "src/app.py"]

    def test_invalid_git_dir(self, tmp_path: Path) -> None:
        """A .git directory that is no repository: the tree is walked instead."""
        if shutil.which("git") is None:
            pytest.skip("git is not installed")
        _tree(tmp_path)
        (tmp_path / ".git").mkdir()
        found = sorted(
            Path(f.path or "").relative_to(tmp_path).as_posix()
            for f in scan_paths([tmp_path], jobs=1)
        )
        assert found == ["bad.txt", "src/app.py"]

    def test_git_lists_link_to_directory(self, tmp_path: Path) -> None:
        """A symlink to a directory that git lists as a file is not read."""
        if shutil.which("git") is None:
            pytest.skip("git is not installed")
        (tmp_path / "src").mkdir()
        (tmp_path / "src" / "app.py").write_text(
            f"t = '{GH}'", encoding="utf-8"
        )
        (tmp_path / "src-link").symlink_to(tmp_path / "src")
        _git(tmp_path, "init", "-q")
        notes: list[tuple[str, str]] = []
        found = [
            Path(f.path or "").relative_to(tmp_path).as_posix()
            for f in scan_paths([tmp_path], jobs=1, notes=notes)
        ]
        assert found == ["src/app.py"]
        assert notes == []


class TestHistory:
    """Findings in the git history."""

    def test_several_commits_and_files(self, tmp_path: Path) -> None:
        """Each added file in each commit is labelled path@commit; lock files are skipped."""
        if shutil.which("git") is None:
            pytest.skip("git is not installed")
        tokens = [
            crc_token("ghp", f"{i}" + "Ab3Cd4Ef5Gh6Ij7Kl8Mn9Op0Qr1St"[:29])
            for i in range(4)
        ]
        _git(tmp_path, "init", "-q")
        (tmp_path / "package-lock.json").write_text(
            f'{{"t": "{tokens[0]}"}}\n', encoding="utf-8"
        )
        _git(tmp_path, "add", "-A")
        _git(tmp_path, "commit", "-qm", "lock file only")
        (tmp_path / "a.py").write_text(
            f"a = '{tokens[1]}'\n", encoding="utf-8"
        )
        (tmp_path / "b.py").write_text(
            f"\n\nb = '{tokens[2]}'\n", encoding="utf-8"
        )
        _git(tmp_path, "add", "-A")
        _git(tmp_path, "commit", "-qm", "two files")
        (tmp_path / "c.py").write_text(
            f"c = '{tokens[3]}'\n", encoding="utf-8"
        )
        _git(tmp_path, "add", "-A")
        _git(tmp_path, "commit", "-qm", "third")
        for name in ("a.py", "b.py", "c.py", "package-lock.json"):
            (tmp_path / name).unlink()
        _git(tmp_path, "commit", "-qam", "remove all")
        found = sorted(
            (f.path or "").split("@")[0] + f":{f.line}"
            for f in scan_paths([tmp_path], jobs=1, history=True)
        )
        assert found == ["a.py:1", "b.py:3", "c.py:1"]
        commits = {
            (f.path or "").split("@")[1]
            for f in scan_paths([tmp_path], jobs=1, history=True)
        }
        assert len(commits) == 2

    def test_file_roots_have_no_history(self, tmp_path: Path) -> None:
        """history=True on a file scans the file only."""
        (tmp_path / "a.py").write_text(f"t = '{GH}'", encoding="utf-8")
        found = list(scan_paths([tmp_path / "a.py"], history=True))
        assert [f.path for f in found] == [str(tmp_path / "a.py")]

    def test_sarif_commit(self, tmp_path: Path) -> None:
        """SARIF results from history carry the commit as a property."""
        if shutil.which("git") is None:
            pytest.skip("git is not installed")
        _git(tmp_path, "init", "-q")
        (tmp_path / "a.py").write_text(f"t = '{GH}'\n", encoding="utf-8")
        _git(tmp_path, "add", "-A")
        _git(tmp_path, "commit", "-qm", "add")
        found = [
            f
            for f in scan_paths([tmp_path], jobs=1, history=True)
            if "@" in (f.path or "")
        ]
        [res] = json.loads(to_sarif(found))["runs"][0]["results"]
        uri = res["locations"][0]["physicalLocation"]["artifactLocation"]
        assert uri["uri"] == "a.py"
        assert res["properties"]["commit"] == found[0].path.split("@")[1]


# --------------------------------------------- hostile configuration files

_RULE = (
    "[[rule]]\nid = 'acme-key'\nkind = 'acme'\nregex = 'acme_[0-9a-f]{8}'\n"
)
_DEEP = 5000  # nesting deeper than the interpreter's recursion limit


def _rule_with(line: str) -> bytes:
    """A valid rule with *line* added to its table."""
    return f"{_RULE}{line}\n".encode()


#: (rules file, what the message must say); the secret value "s3cr3tVALUE"
#: never appears in a message.
BAD_RULE_FILES = [
    (b"\xff\xfe[[rule]]\n", "not valid UTF-8"),
    (b"[[rule]\n", "not valid TOML"),
    (b"a = " + b"[" * _DEEP + b"]" * _DEEP + b"\n", "not valid TOML"),
    (
        b"a = " + b"{b = " * _DEEP + b"1" + b"}" * _DEEP + b"\n",
        "not valid TOML",
    ),
    (b"a = " + b"7" * 5000 + b"\n", "not valid TOML"),
    (
        _RULE.replace("[[rule]]", "[[rules]]").encode(),
        "unknown top-level key 'rules'",
    ),
    (b"rule = 'x'\n", "must be an array of [[rule]] tables"),
    (b"version = 2\n" + _RULE.encode(), "version must be 1"),
    (b"version = '1'\n" + _RULE.encode(), "version must be 1"),
    (b"rule = [1]\n", "rule 1: not a table"),
    (b"[[rule]]\nkind = 'x'\nregex = 'x'\n", "rule 1: needs an id"),
    (b"[[rule]]\nid = 7\nkind = 'x'\nregex = 'x'\n", "rule 1: needs an id"),
    (
        b"[[rule]]\nid = 'a'\nkind = ['x']\nregex = 'x'\n",
        "('a'): needs an id and a kind",
    ),
    (
        _rule_with("regexp = 's3cr3tVALUE'"),
        "('acme-key'): unknown key 'regexp'",
    ),
    (
        _rule_with("min_entropy = 's3cr3tVALUE'"),
        "min_entropy must be",
    ),
    (_rule_with("min_entropy = [1]"), "min_entropy must be"),
    (_rule_with("min_entropy = nan"), "min_entropy must be"),
    (_rule_with("min_entropy = true"), "min_entropy must be"),
    (_rule_with("window = inf"), "window must be"),
    (_rule_with("window = 1e400"), "window must be"),
    (_rule_with("window = 's3cr3tVALUE'"), "window must be"),
    (_rule_with("window = -5"), "window must be"),
    (_rule_with("window = 99999999999999999999"), "window must be"),
    (_rule_with("stopwords = 5"), "stopwords must be"),
    (
        _rule_with("stopwords = [['s3cr3tVALUE']]"),
        "stopwords must be",
    ),
    (_rule_with("keywords = 's3cr3tVALUE'"), "keywords must be"),
    (_rule_with("keywords = [1]"), "keywords must be"),
    (_rule_with("keywords = ['']"), "keywords must be"),
    (_rule_with("keywords = ['token', '']"), "keywords must be"),
    (_rule_with("stopwords = ['']"), "stopwords must be"),
    (_rule_with("checksum = ['s3cr3tVALUE']"), "checksum must be"),
    (_rule_with("checksum = 's3cr3tVALUE'"), "checksum must be"),
    (
        _rule_with("url_password = 's3cr3tVALUE'"),
        "url_password must be",
    ),
    (_rule_with("type = 's3cr3tVALUE'"), "type must be"),
    (
        b"[[rule]]\nid = 'a'\nkind = 'x'\nregex = '"
        + b"(" * _DEEP
        + b"s3cr3tVALUE"
        + b")" * _DEEP
        + b"'\n",
        "regex is not a valid regular expression",
    ),
    (
        b"[[rule]]\nid = 'a'\nkind = 'x'\nregex = 's3cr3tVALUE{99999999999}'\n",
        "regex is not a valid regular expression",
    ),
    (
        _rule_with("anchor = 's3cr3tVALUE{4294967296}'"),
        "anchor is not a valid",
    ),
    (_rule_with("anchor = 5"), "anchor is not a valid"),
    ((_RULE + _RULE).encode(), "rule 2 ('acme-key'): the id is already used"),
]

BAD_ALLOWLISTS = [
    (b"rule:x\n\xff\xfe\n", "not valid UTF-8"),
    (b"# ok\nnonsense s3cr3tVALUE\n", "line 2: each line is"),
    (
        b"regex:" + b"(" * _DEEP + b"s3cr3tVALUE" + b")" * _DEEP,
        "line 1: invalid regular expression",
    ),
    (
        b"rule:x\nregex:s3cr3tVALUE{99999999999}\n",
        "line 2: invalid regular expression",
    ),
    (b"regex:s3cr3tVALUE(\n", "line 1: invalid regular expression"),
]

BAD_BASELINES = [
    (b"\xff", "not valid UTF-8 JSON"),
    (b"{", "not valid UTF-8 JSON"),
    (b"[" * _DEEP * 20 + b"]" * _DEEP * 20, "not valid UTF-8 JSON"),
    (
        b'{"version": 1, "findings": ['
        + b"[" * _DEEP * 20
        + b"]" * _DEEP * 20
        + b"]}",
        "not valid UTF-8 JSON",
    ),
    (
        b'{"version": 1, "findings": [' + b"7" * 5000 + b"]}",
        "not valid UTF-8 JSON",
    ),
    (b'{"version": true, "findings": []}', "not a version 1"),
    (b'{"version": 1.0, "findings": []}', "not a version 1"),
    (b"[1]", "not a version 1"),
    (b'{"version": 1}', "findings must be an array"),
    (b'{"version": 1, "findings": {"a": 1}}', "findings must be an array"),
    (
        b'{"version": 1, "findings": "s3cr3tVALUE"}',
        "findings must be an array",
    ),
    (
        b'{"version": 1, "findings": [{"path": "a", "fingerprint": "b"}, {}]}',
        "finding 2: needs a path and a fingerprint",
    ),
    (
        b'{"version": 1, "findings": [{"path": {}, "fingerprint": "s3cr3tVALUE"}]}',
        "finding 1: needs a path and a fingerprint",
    ),
    (
        b'{"version": 1, "findings": [{"path": NaN, "fingerprint": 1e999}]}',
        "finding 1: needs a path and a fingerprint",
    ),
]


def _load(kind: str, path: Path) -> object:
    """Load *path* as a rules file, an allowlist or a baseline."""
    if kind == "rules":
        return load_rules([path])
    if kind == "allowlist":
        return Allowlist.load(path)
    return Baseline.load(path)


_FILE_KINDS = {
    "rules": "rules file",
    "allowlist": "allowlist file",
    "baseline": "baseline file",
}


class TestHostileConfigFiles:
    """Bad rules, allowlist and baseline files raise ConfigurationError with
    a message that names the file and the broken rule, never a value."""

    @pytest.mark.parametrize(
        ("kind", "data", "message"),
        [("rules", d, m) for d, m in BAD_RULE_FILES]
        + [("allowlist", d, m) for d, m in BAD_ALLOWLISTS]
        + [("baseline", d, m) for d, m in BAD_BASELINES],
    )
    def test_bad_file(
        self, tmp_path: Path, kind: str, data: bytes, message: str
    ) -> None:
        """Each concrete bad file is one clear ConfigurationError."""
        path = tmp_path / f"bad-{kind}"
        path.write_bytes(data)
        with pytest.raises(ConfigurationError) as info:
            _load(kind, path)
        text = str(info.value)
        assert text.startswith(f"{_FILE_KINDS[kind]} {path}"), text
        assert message in text, text
        assert "s3cr3tVALUE" not in text
        assert info.value.__cause__ is None
        assert len(text) < 300

    @pytest.mark.parametrize("kind", ["rules", "allowlist", "baseline"])
    def test_cli_bad_file(self, tmp_path: Path, kind: str) -> None:
        """The command line answers a bad file with exit status 2 and one
        line naming it, never a traceback."""
        path = tmp_path / f"bad-{kind}"
        path.write_bytes(b"[" * _DEEP * 20 + b"s3cr3tVALUE")
        (tmp_path / "a.py").write_text("x = 1\n", encoding="utf-8")
        option = {
            "rules": "--rules",
            "allowlist": "--allowlist",
            "baseline": "--baseline",
        }[kind]
        res = CliRunner().invoke(
            cli,
            ["scan", "secrets", option, str(path), str(tmp_path / "a.py")],
        )
        assert res.exit_code == 2, res.output
        assert "Traceback" not in res.output
        assert f"{_FILE_KINDS[kind]} {path}" in res.stderr
        assert "s3cr3tVALUE" not in res.output

    def test_rule_keys_are_rule_fields(self) -> None:
        """Every key a [[rule]] table may hold is a field of Rule."""
        from dataclasses import fields

        from dataprotect.scan._engine import _RULE_KEYS

        assert {f.name for f in fields(Rule)} >= _RULE_KEYS
        assert {"id", "kind", "regex", "keywords", "window"} <= _RULE_KEYS

    def test_builtin_rules_name_their_file(self) -> None:
        """A broken built-in rules file would be named as the package's."""
        from dataprotect.scan._engine import _parse_rules

        with pytest.raises(
            ConfigurationError,
            match=r"^rules file dataprotect/scan/rules.toml",
        ):
            _parse_rules(b"[[rule]\n", "dataprotect/scan/rules.toml")


def _toml_value(value: object) -> str:
    """*value* as a TOML value (enough of TOML for the strategies below)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)  # TOML spells inf and nan as Python does
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    assert isinstance(value, dict)
    return (
        "{"
        + ", ".join(
            f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()
        )
        + "}"
    )


_SCALARS = (
    st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(
        ["regex", "assignment", "github", "jwt", "(", "a{99999999999}", "\\b"]
    )
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
_RULE_KEY_NAMES = st.sampled_from(
    [
        "id",
        "kind",
        "type",
        "keywords",
        "regex",
        "checksum",
        "min_entropy",
        "stopwords",
        "url_password",
        "anchor",
        "window",
        "rules",
    ]
)


@st.composite
def _rules_documents(draw: st.DrawFn) -> bytes:
    """TOML-ish rules files: [[rule]] tables of arbitrary values, then
    perhaps damaged (a byte flipped, cut short, or deeply nested)."""
    lines = []
    for _ in range(draw(st.integers(0, 3))):
        lines.append("[[rule]]")
        table = draw(st.dictionaries(_RULE_KEY_NAMES, _VALUES, max_size=8))
        lines += [f"{k} = {_toml_value(v)}" for k, v in table.items()]
    data = "\n".join(lines).encode("utf-8", "surrogatepass") + b"\n"
    return draw(_damaged(data))


@st.composite
def _damaged(draw: st.DrawFn, data: bytes) -> bytes:
    """*data* as it is, with a byte changed, cut short, or nested deeply."""
    how = draw(st.sampled_from(["as is", "flip", "cut", "nest"]))
    if how == "flip" and data:
        pos = draw(st.integers(0, len(data) - 1))
        return (
            data[:pos] + bytes([draw(st.integers(0, 255))]) + data[pos + 1 :]
        )
    if how == "cut":
        return data[: draw(st.integers(0, len(data)))]
    if how == "nest":
        depth = draw(st.sampled_from([10, 2000, 50000]))
        return data + b"n = " + b"[" * depth + b"]" * depth + b"\n"
    return data


@st.composite
def _baseline_documents(draw: st.DrawFn) -> bytes:
    """JSON-ish baselines: arbitrary findings and versions, perhaps damaged."""
    finding = st.dictionaries(
        st.sampled_from(["path", "fingerprint", "rule", "line"]), _VALUES
    )
    doc = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "version": st.sampled_from([1, 1.0, True, "1", 2]),
                "findings": st.lists(finding, max_size=4) | _VALUES,
            },
        )
        | _VALUES
    )
    return draw(_damaged(json.dumps(doc).encode("utf-8", "surrogatepass")))


_ALLOWLIST_LINES = st.tuples(
    st.sampled_from(
        ["path:", "rule:", "fingerprint:", "regex:", "", "#", "x:"]
    ),
    st.text(max_size=30)
    | st.sampled_from(["(", "a{99999999999}", "(" * 3000 + ")" * 3000]),
).map(lambda kv: kv[0] + kv[1])


class TestHostileConfigFileProperties:
    """Whatever bytes the loaders read, only DataProtectError comes out."""

    @given(data=_rules_documents())
    def test_rules_files(
        self, tmp_path_factory: pytest.TempPathFactory, data: bytes
    ) -> None:
        """Arbitrary TOML-ish rules files load or raise DataProtectError."""
        self._check("rules", tmp_path_factory, data)

    @given(data=_baseline_documents())
    def test_baselines(
        self, tmp_path_factory: pytest.TempPathFactory, data: bytes
    ) -> None:
        """Arbitrary JSON-ish baselines load or raise DataProtectError."""
        self._check("baseline", tmp_path_factory, data)

    @given(
        lines=st.lists(_ALLOWLIST_LINES, max_size=5),
        tail=st.binary(max_size=8),
    )
    def test_allowlists(
        self,
        tmp_path_factory: pytest.TempPathFactory,
        lines: list[str],
        tail: bytes,
    ) -> None:
        """Arbitrary allowlists (any text, any trailing bytes) load or raise
        DataProtectError."""
        data = "\n".join(lines).encode("utf-8", "surrogatepass") + tail
        self._check("allowlist", tmp_path_factory, data)

    @staticmethod
    def _check(
        kind: str, tmp_path_factory: pytest.TempPathFactory, data: bytes
    ) -> None:
        path = tmp_path_factory.mktemp(kind) / "file"
        path.write_bytes(data)
        error: DataProtectError | None = None
        try:
            _load(kind, path)
        except DataProtectError as exc:
            error = exc
        if error is not None:
            assert str(error).startswith(f"{_FILE_KINDS[kind]} {path}")


def _evil_program(tmp_path: Path) -> tuple[Path, Path]:
    """A program that records each run in a marker file; (program, marker)."""
    marker = tmp_path / "marker"
    program = tmp_path / "evil.sh"
    program.write_text(
        f'#!/bin/sh\necho "$0 $*" >> "{marker}"\nexit 0\n', encoding="utf-8"
    )
    program.chmod(0o755)
    return program, marker


def _hostile_repo(tmp_path: Path, vector: str) -> tuple[Path, Path]:
    """A repository whose own config asks git to run a program; (repo, marker).

    Two commits hold a token in ``a.py`` (the second adds a line), so the
    working tree and the history both have something to find.
    """
    program, marker = _evil_program(tmp_path)
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "a.py").write_text(f"t = '{GH}'\n", encoding="utf-8")
    (repo / ".gitattributes").write_text(
        "*.py diff=x filter=f\n", encoding="utf-8"
    )
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "one")
    (repo / "a.py").write_text(f"t = '{GH}'\nu = 2\n", encoding="utf-8")
    _git(repo, "commit", "-qam", "two")
    evil = str(program)
    config: list[tuple[str, str]] = {
        "fsmonitor": [("core.fsmonitor", evil)],
        "textconv": [("diff.x.textconv", evil)],
        "external-diff": [("diff.external", evil), ("diff.x.command", evil)],
        "filters-pager": [
            ("filter.f.clean", evil),
            ("filter.f.smudge", evil),
            ("filter.f.process", evil),
            ("core.pager", evil),
            ("pager.log", evil),
        ],
        "signature": [("log.showSignature", "true"), ("gpg.program", evil)],
        "lazy-fetch-ext": [
            ("remote.origin.url", f"ext::{evil} %S"),
            ("protocol.ext.allow", "always"),
        ],
        "lazy-fetch-ssh": [
            ("remote.origin.url", "ssh://attacker.invalid/x"),
            ("core.sshCommand", evil),
        ],
        "submodule-diff": [("diff.submodule", "diff")],
    }[vector]
    if vector == "signature":
        # a commit with a (junk) signature that log.showSignature verifies
        head = subprocess.run(
            ["git", "cat-file", "commit", "HEAD"],
            cwd=repo,
            check=True,
            capture_output=True,
        ).stdout
        headers, _, message = head.partition(b"\n\n")
        signed = (
            headers
            + b"\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n AAAA\n"
            + b" -----END PGP SIGNATURE-----\n\n"
            + message
        )
        commit = subprocess.run(
            ["git", "hash-object", "-t", "commit", "-w", "--stdin"],
            cwd=repo,
            input=signed,
            check=True,
            capture_output=True,
        ).stdout.decode()
        _git(repo, "update-ref", "refs/heads/signed", commit.strip())
    if vector.startswith("lazy-fetch"):
        # a partial clone missing a blob: git fetches it from the promisor
        blob = subprocess.run(
            ["git", "rev-parse", "HEAD:a.py"],
            cwd=repo,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        (repo / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
        config += [
            ("core.repositoryformatversion", "1"),
            ("extensions.partialClone", "origin"),
            ("remote.origin.promisor", "true"),
        ]
    if vector == "submodule-diff":
        sub = tmp_path / "sub"
        sub.mkdir()
        _git(sub, "init", "-q")
        (sub / "q.py").write_text("q = 1\n", encoding="utf-8")
        (sub / ".gitattributes").write_text("*.py diff=x\n", encoding="utf-8")
        _git(sub, "add", "-A")
        _git(sub, "commit", "-qm", "s1")
        _git(
            repo,
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "add",
            "-q",
            str(sub),
            "sub",
        )
        _git(repo, "commit", "-qm", "add sub")
        (repo / "sub" / "q.py").write_text("q = 2\n", encoding="utf-8")
        _git(repo / "sub", "commit", "-qam", "s2")
        _git(repo / "sub", "config", "diff.x.textconv", evil)
        _git(repo, "commit", "-qam", "bump sub")
    for key, value in config:
        _git(repo, "config", key, value)
    # a racy, modified tracked file: git must look at it to list it
    (repo / "a.py").write_text(f"t = '{GH}'\nu = 3\n", encoding="utf-8")
    return repo, marker


_VECTORS = [
    "fsmonitor",
    "textconv",
    "external-diff",
    "filters-pager",
    "signature",
    "lazy-fetch-ext",
    "lazy-fetch-ssh",
    "submodule-diff",
]


class TestHostileRepository:
    """Scanning a checkout runs none of the commands its git config names."""

    @pytest.mark.parametrize("vector", _VECTORS)
    def test_repo_config_runs_nothing(
        self, tmp_path: Path, vector: str
    ) -> None:
        """With and without history, no program from .git/config runs; the
        token is still found in the tree and in the history."""
        require_binary("git")
        repo, marker = _hostile_repo(tmp_path, vector)
        found = list(scan_paths([repo], jobs=1))
        assert not marker.exists(), marker.read_text(encoding="utf-8")
        assert [Path(f.path or "").name for f in found] == ["a.py"]
        history = list(scan_paths([repo], jobs=1, history=True))
        assert not marker.exists(), marker.read_text(encoding="utf-8")
        if not vector.startswith("lazy-fetch"):  # a blob is missing there
            assert any("a.py@" in (f.path or "") for f in history)

    def test_cli_runs_nothing(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """``dataprotect scan secrets DIR --history`` in a hostile checkout
        runs no program from its config (fsmonitor, textconv, gpg)."""
        require_binary("git")
        repo, marker = _hostile_repo(tmp_path, "signature")
        program = str(tmp_path / "evil.sh")
        _git(repo, "config", "core.fsmonitor", program)
        _git(repo, "config", "diff.x.textconv", program)
        monkeypatch.chdir(repo)
        res = CliRunner().invoke(cli, ["scan", "secrets", "--history", "."])
        assert res.exit_code == 1, res.output
        assert "a.py@" in res.output
        assert not marker.exists(), marker.read_text(encoding="utf-8")

    def test_user_settings_still_apply(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The user's global excludes file still decides what is scanned."""
        require_binary("git")
        repo, _marker = _hostile_repo(tmp_path, "fsmonitor")
        (repo / "local.py").write_text(f"t = '{GH}'\n", encoding="utf-8")
        excludes = tmp_path / "excludes"
        excludes.write_text("local.py\n", encoding="utf-8")
        home = tmp_path / "home"
        home.mkdir()
        (home / ".gitconfig").write_text(
            f"[core]\n\texcludesFile = {excludes}\n", encoding="utf-8"
        )
        monkeypatch.setenv("HOME", str(home))
        monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
        monkeypatch.delenv("GIT_CONFIG_GLOBAL", raising=False)
        found = [Path(f.path or "").name for f in scan_paths([repo], jobs=1)]
        assert found == ["a.py"]


class TestInheritedGitEnvironment:
    """scan_paths called from a git hook ignores the hook's repository."""

    def test_repo_env_of_a_hook_is_ignored(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """GIT_DIR, GIT_WORK_TREE, GIT_INDEX_FILE... as git sets them for a
        hook in repository B: a scan of repository A lists, ignores and
        reads the history of A, not B."""
        require_binary("git")
        a, b = tmp_path / "a", tmp_path / "b"
        for repo, name in ((a, "a.py"), (b, "b.py")):
            repo.mkdir()
            _git(repo, "init", "-q")
            (repo / name).write_text(f"t = '{GH}'\n", encoding="utf-8")
            _git(repo, "add", "-A")
            _git(repo, "commit", "-qm", "one")
        (a / ".gitignore").write_text("ignored.py\n", encoding="utf-8")
        (a / "ignored.py").write_text(f"t = '{GH}'\n", encoding="utf-8")
        for name, value in {
            "GIT_DIR": str(b / ".git"),
            "GIT_WORK_TREE": str(b),
            "GIT_INDEX_FILE": str(b / ".git" / "index"),
            "GIT_PREFIX": "",
            "GIT_OBJECT_DIRECTORY": str(b / ".git" / "objects"),
        }.items():
            monkeypatch.setenv(name, value)
        found = sorted(
            Path(f.path or "").name
            for f in scan_paths([a], jobs=1, history=True)
        )
        assert found == ["a.py", f"a.py@{_head(a)[:12]}"]

    def test_the_list_covers_git(self) -> None:
        """Every variable git calls repository-local is removed."""
        require_binary("git")
        from dataprotect.scan._walk import _GIT_LOCAL_ENV

        out = subprocess.run(
            ["git", "rev-parse", "--local-env-vars"],
            capture_output=True,
            check=True,
            text=True,
        ).stdout.split()
        assert set(out) <= set(_GIT_LOCAL_ENV)


def _head(repo: Path) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    return subprocess.run(
        ["git", "rev-parse", "HEAD"],
        cwd=repo,
        capture_output=True,
        check=True,
        text=True,
        env=env,
    ).stdout.strip()


class TestBaselineMembership:
    """Baseline membership of things that are not findings."""

    def test_non_finding(self) -> None:
        """Only SecretFinding objects can be in a baseline."""
        base = Baseline(frozenset({("a.py", "ab" * 16)}))
        assert ("a.py", "ab" * 16) not in base
        assert "a.py" not in base


class TestCLIMore:
    """dataprotect scan secrets: allowlist discovery and notes."""

    def test_default_allowlist(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """.dataprotect-allowlist in the working directory is used by default."""
        (tmp_path / "a.py").write_text(f"t = '{GH}'\n", encoding="utf-8")
        monkeypatch.chdir(tmp_path)
        res = CliRunner().invoke(cli, ["scan", "secrets", "a.py"])
        assert res.exit_code == 1
        (tmp_path / ".dataprotect-allowlist").write_text(
            "rule:github-token\n", encoding="utf-8"
        )
        res = CliRunner().invoke(cli, ["scan", "secrets", "a.py"])
        assert res.exit_code == 0, res.output
        assert "0 new finding(s)" in res.stderr

    def test_missing_path_fails(self, tmp_path: Path) -> None:
        """A path that does not exist is an input error (exit 2, one
        line), not a clean scan."""
        res = CliRunner().invoke(
            cli, ["scan", "secrets", str(tmp_path / "missing.py")]
        )
        assert res.exit_code == 2
        assert res.stderr == (
            f"Error: No such file or directory: {tmp_path / 'missing.py'}\n"
        )

    def test_too_large_file_fails_after_the_scan(self, tmp_path: Path) -> None:
        """A file over the size limit was not scanned: exit 2, never a
        pass (issue 15)."""
        big = tmp_path / "big.env"
        with big.open("wb") as fh:
            fh.truncate(33 * 1024 * 1024)  # sparse: nothing is written
        res = CliRunner().invoke(cli, ["scan", "secrets", str(tmp_path)])
        assert res.exit_code == 2
        assert res.stderr.splitlines() == [
            f"note: skipped {big}: larger than the size limit",
            "0 new finding(s)",
            "Error: 1 input(s) could not be scanned, so the scan is incomplete",
        ]

    def test_unreadable_file_fails_after_the_scan(
        self, tmp_path: Path
    ) -> None:
        """A file that cannot be read is noted, the scan goes on, and the
        command exits 2: a scan that could not read its input fails."""
        (tmp_path / "loop").symlink_to(tmp_path / "loop")
        (tmp_path / "ok.py").write_text("x = 1\n")
        res = CliRunner().invoke(cli, ["scan", "secrets", str(tmp_path)])
        assert res.exit_code == 2
        lines = res.stderr.splitlines()
        assert lines[0].startswith(f"note: skipped {tmp_path / 'loop'}: ")
        assert lines[-1] == (
            "Error: 1 input(s) could not be scanned, so the scan is incomplete"
        )
        base = tmp_path / "baseline.json"
        res = CliRunner().invoke(
            cli,
            [
                "scan",
                "secrets",
                str(tmp_path),
                "--baseline",
                str(base),
                "--update-baseline",
            ],
        )
        assert res.exit_code == 2
        assert not base.exists()

    def test_stdin(self, tmp_path: Path) -> None:
        """'-' scans stdin, once; the allowlist applies to it too."""
        token = 'GITHUB_TOKEN = "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"\n'  # dataprotect: allow-secret
        res = CliRunner().invoke(cli, ["scan", "secrets", "-"], input=token)
        assert res.exit_code == 1
        assert res.stdout.startswith("-:1:")
        allow = tmp_path / "allow"
        allow.write_text("rule:github-token\n")
        res = CliRunner().invoke(
            cli,
            ["scan", "secrets", "-", "--allowlist", str(allow)],
            input=token,
        )
        assert res.exit_code == 0, res.output
        res = CliRunner().invoke(
            cli, ["scan", "secrets", "-", "-"], input=token
        )
        assert res.exit_code == 2
        assert "'-' (stdin) can be given once" in res.stderr

    def test_stdin_limits(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Too much stdin, or a closed one, is one line and exit 2."""
        from dataprotect.cli import _scan

        monkeypatch.setattr(_scan, "_MAX_STDIN", 4)
        res = CliRunner().invoke(cli, ["scan", "secrets", "-"], input="12345")
        assert res.exit_code == 2
        assert "larger than the 32 MiB size limit" in res.stderr
        monkeypatch.setattr(sys, "stdin", None)
        with pytest.raises(InputError, match="stdin is closed"):
            _scan._stdin_text()

    def test_rules_typo_refused(self, tmp_path: Path) -> None:
        """A rules file with [[rules]] instead of [[rule]], or no rule at
        all, is refused naming the file."""
        typo = tmp_path / "typo.toml"
        typo.write_text('[[rules]]\nid = "x"\nkind = "x"\nregex = "x"\n')
        res = CliRunner().invoke(
            cli, ["scan", "secrets", "--rules", str(typo), str(tmp_path)]
        )
        assert res.exit_code == 2
        assert res.stderr == (
            f"Error: rules file {typo}: unknown top-level key 'rules'; "
            "rules are [[rule]] tables\n"
        )
        for text in ("# nothing yet\n", "version = 1\nrule = []\n"):
            empty = tmp_path / "empty.toml"
            empty.write_text(text)
            with pytest.raises(
                ConfigurationError,
                match=f"^rules file {empty} defines no \\[\\[rule\\]\\] table$",
            ):
                load_rules([empty])


@pytest.fixture(name="pgp_private_key", scope="module")
def _pgp_private_key(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A real OpenPGP secret key, exported by the system's gpg (armored)."""
    from helpers import require_binary

    gpg = require_binary("gpg")
    home = tmp_path_factory.mktemp("gnupg")
    home.chmod(0o700)
    env = {**os.environ, "GNUPGHOME": str(home)}
    base = [gpg, "--batch", "--no-tty", "--passphrase", ""]
    subprocess.run(
        [
            *base,
            "--quick-gen-key",
            "Scan Test <scan-test@example.invalid>",
            "ed25519",
            "default",
            "never",
        ],
        check=True,
        env=env,
        capture_output=True,
    )
    out = subprocess.run(
        [*base, "--export-secret-keys", "--armor"],
        check=True,
        env=env,
        capture_output=True,
    ).stdout.decode()
    subprocess.run(
        [gpg, "--batch", "--no-tty", "--kill", "gpg-agent"],
        check=False,
        env={**env, "PATH": os.environ.get("PATH", "")},
        capture_output=True,
    )
    assert out.startswith("-----BEGIN PGP PRIVATE KEY BLOCK-----")
    return out


class TestPeerMisses:
    """Cases from scanning other projects' fixtures (issue #20)."""

    def test_gpg_private_key(self, pgp_private_key: str) -> None:
        """A key from gpg --export-secret-keys --armor is a private-key finding."""
        [f] = scan_text(f"# key.asc\n{pgp_private_key}", filename="key.asc")
        assert (f.rule, f.kind, f.line) == ("private-key", "private_key", 2)
        body = pgp_private_key.splitlines()[2]
        assert body not in f.preview
        assert f.preview.startswith("-----BEGIN PGP PRIVATE KEY BLOCK-----…")

    def test_gpg_private_key_cli(
        self, tmp_path: Path, pgp_private_key: str
    ) -> None:
        """The command line exits 1 for an exported OpenPGP key file."""
        (tmp_path / "key.asc").write_text(pgp_private_key, encoding="utf-8")
        res = CliRunner().invoke(cli, ["scan", "secrets", str(tmp_path)])
        assert res.exit_code == 1
        assert "private_key (private-key)" in res.output

    @pytest.mark.parametrize(
        "text",
        [
            "key = AKIAXXXXXXXXXXXXXXXX",
            "VAULT_TOKEN=hvs." + "x" * 96,
            'google_api_key = "AIzaSyabcdefghijklmnopqrstuvwxyz1234567"',
            "stripe = sk_live_" + "0" * 24,
            'password = "abcdefghijklmnop"',
        ],
    )
    def test_filler_placeholders(self, text: str) -> None:
        """Runs of one character and alphabet sequences are placeholders."""
        assert scan_text(text) == []

    @pytest.mark.parametrize(
        ("value", "filler"),
        [
            ("AKIAXXXXXXXXXXXXXXXX", True),
            ("AIzaSyabcdefghijklmnopqrstuvwxyz1234567", True),
            ("zyxwvutsrqpo9876", True),
            ("", False),
            ("aaa", False),
            ("AKIA2E3MUJEXQ7BQ5ZVP", False),
            # gitleaks' own true positive: a long run of 1s, but not half
            (
                "xoxa-2-511111111-31111111111-3111111111111-e039d02840a0b9379c",
                False,
            ),
        ],
    )
    def test_is_filler(self, value: str, filler: bool) -> None:
        """Filler is half or more of the value in runs of four or more."""
        from dataprotect.scan._engine import is_filler

        assert is_filler(value) is filler

    def test_checksum_decides_over_filler(self) -> None:
        """A token whose checksum holds is reported even if it looks like filler."""
        token = crc_token("ghp", "0" * 30)
        [f] = scan_text(f"token = {token}")
        assert f.checksum_valid is True

    @pytest.mark.parametrize(
        ("text", "rule"),
        [
            (
                "REDIS_URL=redis://:Zq8Wm3xTp9Lk2Vb7@cache:6379/0",
                "database-url",
            ),
            ("url: 'postgresql://:Zq8Wm3xTp9Lk2Vb7@db/app'", "database-url"),
            ("BROKER=amqp://:Zq8Wm3xTp9Lk2Vb7@mq:5672//", "broker-url"),
            (
                "u = 'http://username:whywouldyouusehttpforpasswords@example.com'",
                "url-password",
            ),
            (
                "git clone https://deploy:Zq8Wm3xTp9Lk2Vb7@git.example.test/a.git",
                "url-password",
            ),
            (
                "WS=wss://bot:Zq8Wm3xTp9Lk2Vb7@ws.example.test/feed",
                "url-password",
            ),
        ],
    )
    def test_url_credentials(self, text: str, rule: str) -> None:
        """Passwords in URLs: an empty user (Redis) and http(s) user:pass@host."""
        [f] = scan_text(text)
        assert f.rule == rule
        assert "Zq8Wm3xTp9Lk2Vb7" not in f.preview

    @pytest.mark.parametrize(
        "text",
        [
            "REDIS_URL=redis://:PASSWORD@cache:6379/0",
            "https://username:password@yelp.com",
            "http://localhost:5000/<%= @variable %>",
            '"https://url:8000";@something else',
            "https://url:8000 @something else",
            "https://url:8000/ @something else",
            "https://user:${TOKEN}@host.example.test",
            "https://%s:%s@host.example.test",
            "https://{user}:{password}@host.example.test",
            "https://oauth2:<token>@gitlab.example.test",
        ],
    )
    def test_url_lookalikes(self, text: str) -> None:
        """Placeholders, templates and ports in URLs are not findings."""
        assert scan_text(text) == []


class TestPeerRefinements:
    """Rule changes the peer fixtures called for (cases from their data)."""

    @pytest.mark.parametrize(
        ("text", "rule"),
        [
            (
                '"user_auth": "am9obmRvZTpkMDY5NGIxYi1jMTcxLTQ4ODYt+TMyYS0wMmUwOWQ1/mIwNjc="',
                "generic-secret",
            ),
            (
                '"credentials" : "0afae57f3ccfd9d7f5767067bc48b30f719e271ba470488056e37ab35d4b6506"',
                "generic-secret",
            ),
            (
                "hf_token = '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'",
                "huggingface-org-token",
            ),
            (
                "GR1348941PREfix_helloworld380",
                "gitlab-runner-registration-token",
            ),
            (
                "//registry.npmjs.org/:_authToken=743b294a-cd03-11ec-9d64-0242ac120002",
                "npmrc-auth-token",
            ),
            (
                "rk_prod_51OuEMLAlTWGaDypquDn9aZigaJOsa9NR1w1BxZXs9JlYsVVkv5XDu6aLmAxwt5Tgun5WcSwQMKzQyqV16c9iD4sx00BRijuoon",
                "stripe-secret-key",
            ),
            (
                "t=xoxe-4726837507825-4848681849303-4856614048758-e0b1f3d4cb371f92260edb0d9444d206",
                "slack-token",
            ),
            (
                '"access_token1": "xoxs-3206092076-3204538285-3743137121-836b042620"',
                "slack-token",
            ),
            (
                "http://hooks.slack.com/workflows/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",
                "slack-webhook",
            ),
            ("glptt-Need5_T00-be-exactly-40-chars--ELse_fail", "gitlab-token"),
        ],
    )
    def test_found(self, text: str, rule: str) -> None:
        """Formats and names the rules missed before."""
        assert [f.rule for f in scan_text(text)] == [rule]

    @pytest.mark.parametrize(
        "text",
        [
            '  "credentialId": "B9mTcFSck2LzJO2S3ols63",',
            'publicToken = "9Cnzj4p4WGeKLs1Pt8QuKUpRKfFLfRYC9AIKjbJTWit"',
            "csrf-token=Mj2qykJO5rELyHgezQ69nzUX0i3OH67V7+V4eUrLfpuyOuxmiW9rhROG/Whikle15syazJOkrjJa3U2AbhIvUw==",
            'notes = "Maven - io.jsonwebtoken:jjwt-jackson-0.11.2"',
            '"token4": "xoxp-572370529330-573807301142-572331691188-####################"',
            "glptt-hellOworld380_testin",
            "gloas-checking_Length-Is-checking_Length-Is-",
            "AIzaSyAnLA7NfeLquW1tJFpx_eQCxoX-oo6YyIs",
            "pypi-AgEIcHlwaS5vcmcCJDU3OTM1MjliLWIyYTYtNDEwOC05NzRkLTM0MjNiNmEwNWIzYgACF1sxLFsibWluaW1h",
            "sk-ant-api03-abc123xyz-456def789ghij-klmnopqrstuvwx-3456yza789bcde-1234fghijklmnopby56aaaogaopaaaabc123xyzBB",
            "//registry.npmjs.org/:_authToken=YOUR_NPM_TOKEN_HERE_1",
            # _auth only at the end of a name: paramiko's pkey.py
            'OPENSSH_AUTH_MAGIC = b"openssh-key-v1\\x00"',
        ],
    )
    def test_not_found(self, text: str) -> None:
        """Ids, public keys, CSRF tokens, versions, redactions, wrong lengths."""
        assert scan_text(text) == []


class TestNamedPaths:
    """A path named on the command line is scanned whatever its name."""

    @pytest.mark.parametrize("name", ["venv", "vendor", "node_modules"])
    def test_named_excluded_directory(self, tmp_path: Path, name: str) -> None:
        """A directory called venv, vendor... is scanned when named; not when walked."""
        named = tmp_path / name
        (named / "lib" / "node_modules").mkdir(parents=True)
        (named / "lib" / "a.py").write_text(f"t = '{GH}'\n", encoding="utf-8")
        (named / "lib" / "node_modules" / "b.js").write_text(
            f"t = '{GH}'\n", encoding="utf-8"
        )
        found = [
            Path(f.path or "").relative_to(named).as_posix()
            for f in scan_paths([named], jobs=1)
        ]
        assert found == ["lib/a.py"]
        assert list(scan_paths([tmp_path], jobs=1)) == []

    def test_named_git_ignored_directory(self, tmp_path: Path) -> None:
        """A directory git ignores is scanned when named (its own .gitignore applies)."""
        if shutil.which("git") is None:
            pytest.skip("git is not installed")
        _git(tmp_path, "init", "-q")
        (tmp_path / ".gitignore").write_text("venv/\n", encoding="utf-8")
        venv = tmp_path / "venv"
        (venv / "lib").mkdir(parents=True)
        (venv / "lib" / "a.py").write_text(f"t = '{GH}'\n", encoding="utf-8")
        (venv / "lib" / "b.log").write_text(f"t = '{GH}'\n", encoding="utf-8")
        (venv / ".gitignore").write_text("*.log\n", encoding="utf-8")
        assert list(scan_paths([tmp_path], jobs=1)) == []
        found = [Path(f.path or "").name for f in scan_paths([venv], jobs=1)]
        assert found == ["a.py"]
        found = [
            Path(f.path or "").name for f in scan_paths([venv / "lib"], jobs=1)
        ]
        assert "a.py" in found

    def test_cli_named_venv(self, tmp_path: Path) -> None:
        """dataprotect scan secrets venv reports the finding and exits 1."""
        (tmp_path / "venv").mkdir()
        (tmp_path / "venv" / "s.env").write_text(
            f"TOKEN={GH}\n", encoding="utf-8"
        )
        res = CliRunner().invoke(
            cli, ["scan", "secrets", str(tmp_path / "venv")]
        )
        assert res.exit_code == 1
        assert "1 new finding(s)" in res.stderr


class TestDetectSecretsPragmas:
    """detect-secrets' allowlist pragmas are honoured."""

    SECRET = "f6CGV4aMM9zedoh3OUNbSakBymo7yplB"

    @pytest.mark.parametrize(
        "comment",
        [
            "  # pragma: allowlist secret",
            "  // pragma: allowlist secret",
            "  /* pragma: allowlist secret */",
            "  -- pragma: allowlist secret",
            "  <!-- pragma: allowlist secret -->",
            "  ; pragma: allowlist secret",
            "  #pragma:allowlist secret",
            "  # pragma: whitelist secret",
        ],
    )
    def test_same_line(self, comment: str) -> None:
        """The pragma in a comment on the line allows the finding."""
        assert scan_text(f'secret = "{self.SECRET}"{comment}') == []

    @pytest.mark.parametrize(
        "before",
        [
            "# pragma: allowlist nextline secret",
            "    // pragma: allowlist nextline secret",
            "<!-- pragma: allowlist nextline secret -->",
        ],
    )
    def test_next_line(self, before: str) -> None:
        """A nextline pragma alone on the line before allows the finding."""
        text = f'x = 1\n{before}\nsecret = "{self.SECRET}"\n'
        assert scan_text(text) == []

    @pytest.mark.parametrize(
        "text",
        [
            # a nextline pragma after code does not count (it could hide a line)
            'x = 1  # pragma: allowlist nextline secret\nsecret = "{s}"',
            # a nextline pragma allows the next line only
            '# pragma: allowlist nextline secret\n\nsecret = "{s}"',
            # a same-line pragma outside a comment is just text
            'secret = "{s}" pragma: allowlist secret',
            # the pragma on the line before, not a nextline pragma
            '# pragma: allowlist secret\nsecret = "{s}"',
        ],
    )
    def test_not_allowed(self, text: str) -> None:
        """Other placements of the pragma do not allow a finding."""
        assert len(scan_text(text.format(s=self.SECRET))) == 1


class TestYamlBinary:
    """YAML !!binary values are decoded and scanned."""

    def test_inline(self) -> None:
        """detect-secrets' config2.yaml: a hex secret hidden in !!binary."""
        import base64

        value = base64.b64encode(b"2b00042f7481c7b056c4b410d28f33cf").decode()
        text = (
            f"# yaml.dump\nhigh_entropy_hex_binary_secret: !!binary {value}\n"
        )
        [f] = scan_text(text)
        assert (f.rule, f.line, f.column) == ("generic-secret", 2, 42)
        assert f.preview == "2b00042f…[32 chars]"

    def test_block(self) -> None:
        """A block !!binary value (indented lines) holding a GitHub token."""
        import base64

        value = base64.b64encode(GH.encode()).decode()
        text = (
            "creds:\n  token: !!binary |\n"
            f"    {value[:24]}\n    {value[24:]}\n  other: 1\n"
        )
        [f] = scan_text(text)
        assert (f.rule, f.line, f.column, f.checksum_valid) == (
            "github-token",
            3,
            5,
            True,
        )

    def test_list_item_and_quotes(self) -> None:
        """A value without a key, or holding both quote characters, is scanned."""
        import base64

        value = base64.b64encode(GH.encode()).decode()
        [f] = scan_text(f"tokens:\n  - !!binary {value}\n")
        assert f.rule == "github-token"
        value = base64.b64encode(f"\"'{GH}".encode()).decode()
        [f] = scan_text(f"token: !!binary {value}\n")
        assert f.rule == "github-token"

    def test_decoded_private_key(self, pgp_private_key: str) -> None:
        """A multi-line value (an armored key) is scanned as text."""
        import base64

        value = base64.b64encode(pgp_private_key.encode()).decode()
        [f] = scan_text(f"key: !!binary {value}\n")
        assert f.rule == "private-key"

    @pytest.mark.parametrize(
        "value",
        [
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJ",  # PNG bytes
            "//79/A==",  # not UTF-8
            "AAECAwQ=",  # control characters
            "ICAg",  # blank
            "QUJDR",  # not a whole number of base64 characters
        ],
    )
    def test_not_text(self, value: str) -> None:
        """Binary, blank or malformed values are skipped without error."""
        assert scan_text(f"secret_blob: !!binary {value}\n") == []

    def test_too_large(self) -> None:
        """A decoded value over 64 KiB is not scanned."""
        import base64

        big = base64.b64encode(
            (f"token = '{GH}'\n" + "x" * 70_000).encode()
        ).decode()
        assert scan_text(f"blob: !!binary {big}\n") == []


PEERS = VECTORS / "peers"
PEER_DOCS = Path(__file__).parent.parent / "docs" / "scan.md"
#: Floors for the whole of each peer set: (share of its secrets found,
#: false alarms at most).  Per family, docs/scan.md's tables are the floor.
PEER_FLOORS = {"gitleaks": (0.95, 5), "detect-secrets": (0.25, 5)}


def _peer_doc(name: str) -> dict[str, object]:
    return json.loads((PEERS / f"{name}.json").read_text(encoding="utf-8"))


def _peer_scores(
    name: str,
) -> dict[str, dict[str, list[int]]]:
    """Per family and tool: [secrets found, secrets, false alarms, non-secrets]."""
    doc = _peer_doc(name)
    scores: dict[str, dict[str, list[int]]] = defaultdict(
        lambda: defaultdict(lambda: [0, 0, 0, 0])
    )
    for case in doc["cases"]:  # type: ignore[attr-defined]
        ours = bool(scan_text(case["text"], filename=case.get("file")))
        tools = {"dataprotect": ours, "detect-secrets": case["detect_secrets"]}
        if name == "gitleaks":
            # gitleaks' own tests assert its tps are found and its fps not
            tools["gitleaks"] = case["finding"]
        for family in (case["family"], "all"):
            for tool, found in tools.items():
                row = scores[family][tool]
                if case["finding"]:
                    row[0] += found
                    row[1] += 1
                else:
                    row[2] += found
                    row[3] += 1
    return scores


def _peer_table(name: str) -> str:
    """The Markdown table of docs/scan.md for one peer set."""
    scores = _peer_scores(name)
    tools = ["dataprotect", "detect-secrets", "gitleaks"]
    head = (
        "| family | secrets | non-secrets "
        + "".join(f"| {t} found | {t} false alarms " for t in tools)
        + "|\n|---|---:|---:"
        + "|---:|---:" * len(tools)
        + "|"
    )
    rows = []
    for family in [*sorted(f for f in scores if f != "all"), "all"]:
        n, m = (
            scores[family]["dataprotect"][1],
            scores[family]["dataprotect"][3],
        )
        cells = [family if family != "all" else "**all**", str(n), str(m)]
        for tool in tools:
            if tool not in scores[family]:
                cells += ["n/a", "n/a"]
                continue
            found, _, false, _ = scores[family][tool]
            cells += [
                f"{found}/{n}" if n else "-",
                f"{false}/{m}" if m else "-",
            ]
        rows.append("| " + " | ".join(cells) + " |")
    return head + "\n" + "\n".join(rows)


class TestPeerFixtures:
    """gitleaks' and detect-secrets' own test data, scored per family."""

    @pytest.mark.parametrize("name", ["gitleaks", "detect-secrets"])
    def test_provenance(self, name: str) -> None:
        """Each set names its repository, commit and licence; ids are unique."""
        doc = _peer_doc(name)
        source = doc["source"]
        assert isinstance(source, dict)
        assert source["repository"].startswith("https://github.com/")
        assert len(source["commit"]) == 40
        assert (
            source["licence"]
            == {"gitleaks": "MIT", "detect-secrets": "Apache-2.0"}[name]
        )
        licence = (PEERS / source["licence_file"]).read_text(encoding="utf-8")
        assert {"MIT": "MIT License", "Apache-2.0": "Apache License"}[
            source["licence"]
        ] in licence
        cases = doc["cases"]
        assert isinstance(cases, list)
        assert len({c["id"] for c in cases}) == len(cases) >= 200
        assert {c["finding"] for c in cases} == {True, False}

    @pytest.mark.parametrize("name", ["gitleaks", "detect-secrets"])
    def test_figures(
        self, name: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The figures in docs/scan.md are the measured ones, and meet the floors."""
        table = _peer_table(name)
        with capsys.disabled():
            print(f"\n{name}'s examples\n{table}")
        found, secrets, false, _ = _peer_scores(name)["all"]["dataprotect"]
        share, most = PEER_FLOORS[name]
        assert found / secrets >= share
        assert false <= most
        docs = PEER_DOCS.read_text(encoding="utf-8")
        start = f"<!-- peers:{name} -->\n"
        end = f"\n<!-- /peers:{name} -->"
        documented = docs.split(start, 1)[1].split(end, 1)[0]
        assert documented == table, (
            "docs/scan.md's figures differ from the measured ones: a family "
            "lost a detection or gained a false alarm, or improved (update "
            "the table to the one printed above)"
        )
