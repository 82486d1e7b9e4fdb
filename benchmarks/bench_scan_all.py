"""``dataprotect scan all`` vs pip-audit + bandit + detect-secrets, one
after another, on this repository and its virtual environment.

Every tool runs as a subprocess and is charged its wall-clock and CPU time
(user + system, children included).  The tree is a copy of this
repository's ``src``, ``tests``, ``benchmarks`` and ``docs``; the
dependencies are the installed distributions of the running environment.

No network is used: the vulnerability database is an OSV directory written
for the run (one advisory for every fourth installed distribution,
affecting the installed version, and one that does not affect it for the
others).  dataprotect reads it offline (``--osv-db``); pip-audit, which has
no offline mode, asks an OSV-compatible ``/v1/query`` server on loopback
that answers from the same files, with a fresh HTTP cache.
"""

from __future__ import annotations

import http.server
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time

from importlib import metadata
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from dataprotect.scan import _osv


ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _advisories(db: Path) -> int:
    """Write the OSV directory; return how many advisories affect the env."""
    db.mkdir()
    hits = 0
    seen = set()
    for i, dist in enumerate(
        sorted(
            metadata.distributions(), key=lambda d: d.metadata["Name"] or ""
        )
    ):
        name = dist.metadata["Name"]
        if not name or canonicalize_name(name) in seen:
            continue
        seen.add(canonicalize_name(name))
        try:
            version = Version(dist.version)
        except InvalidVersion:
            continue
        affected = i % 4 == 0
        hits += affected
        fixed = f"{version.major + 1}.0" if affected else str(version)
        entry = {
            "schema_version": "1.6.0",
            "id": f"GHSA-bench-{i:04d}-{'hit' if affected else 'miss'}",
            "modified": "2026-01-01T00:00:00Z",
            "published": "2026-01-01T00:00:00Z",
            "aliases": [f"CVE-2099-{i:05d}"],
            "summary": f"Benchmark advisory for {name}",
            "affected": [
                {
                    "package": {"ecosystem": "PyPI", "name": name},
                    "ranges": [
                        {
                            "type": "ECOSYSTEM",
                            "events": [{"introduced": "0"}, {"fixed": fixed}],
                        }
                    ],
                }
            ],
        }
        (db / f"{entry['id']}.json").write_text(json.dumps(entry))
    return hits


def _osv_server(db: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """An OSV ``/v1/query`` endpoint on loopback answering from *db*."""
    index: dict[str, list[dict]] = {}
    for file in db.glob("*.json"):
        entry = json.loads(file.read_text())
        for aff in entry["affected"]:
            index.setdefault(
                canonicalize_name(aff["package"]["name"]), []
            ).append(entry)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            query = json.loads(
                self.rfile.read(int(self.headers["Content-Length"]))
            )
            version = Version(query["version"])
            vulns = [
                e
                for e in index.get(
                    canonicalize_name(query["package"]["name"]), []
                )
                if any(_osv._affects(a, version) for a in e["affected"])
            ]
            body = json.dumps({"vulns": vulns} if vulns else {}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/v1/query"


def _run(argv: list[str], cwd: Path) -> tuple[float, float, bytes]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "NO_PROXY": "*"}
    start = time.perf_counter()
    proc = subprocess.run(
        argv, capture_output=True, check=False, cwd=cwd, env=env
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in {0, 1}:
        raise RuntimeError(proc.stderr.decode(errors="replace")[-800:])
    cpu = (after.ru_utime - before.ru_utime) + (
        after.ru_stime - before.ru_stime
    )
    return wall, cpu, proc.stdout


def _copy(dest: Path) -> None:
    for name in ("src", "tests", "benchmarks", "docs"):
        shutil.copytree(
            ROOT / name,
            dest / name,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )


def run(quick: bool) -> str:
    with tempfile.TemporaryDirectory(prefix="bench-scan-all-") as tmp:
        tree = Path(tmp) / "repo"
        _copy(tree)
        if quick:
            shutil.rmtree(tree / "tests")
            shutil.rmtree(tree / "docs")
        size = (
            sum(f.stat().st_size for f in tree.rglob("*") if f.is_file()) / 1e6
        )
        db = Path(tmp) / "osv"
        hits = _advisories(db)
        server, url = _osv_server(db)
        try:
            out = Path(tmp) / "all.sarif"
            ours = _run(
                [
                    sys.executable,
                    "-m",
                    "dataprotect.cli",
                    "scan",
                    "all",
                    ".",
                    "--env",
                    "--osv-db",
                    str(db),
                    "--format",
                    "sarif",
                    "-o",
                    str(out),
                ],
                tree,
            )
            runs = json.loads(out.read_text())["runs"]
            ours_n = {
                r["tool"]["driver"]["name"]: len(r["results"]) for r in runs
            }
            audit = _run(
                [
                    str(BIN / "pip-audit"),
                    "-s",
                    "osv",
                    "--osv-url",
                    url,
                    "--cache-dir",
                    str(Path(tmp) / "cache"),
                    "-f",
                    "json",
                    "--progress-spinner",
                    "off",
                ],
                tree,
            )
            audit_n = sum(
                len(d.get("vulns", []))
                for d in json.loads(audit[2])["dependencies"]
            )
            bandit = _run(
                [str(BIN / "bandit"), "-r", ".", "-f", "json", "-q"], tree
            )
            bandit_n = len(json.loads(bandit[2])["results"])
            secrets = _run(
                [
                    str(BIN / "detect-secrets"),
                    "scan",
                    "--all-files",
                    "-n",
                    ".",
                ],
                tree,
            )
            secrets_n = sum(
                len(v) for v in json.loads(secrets[2])["results"].values()
            )
        finally:
            server.shutdown()
            server.server_close()
    theirs_wall = audit[0] + bandit[0] + secrets[0]
    theirs_cpu = audit[1] + bandit[1] + secrets[1]
    rows = [
        "| Run | Wall s | CPU s | Vulnerable deps | Code issues | Secrets |",
        "|---|---:|---:|---:|---:|---:|",
        (
            f"| `dataprotect scan all` (one SARIF log) | {ours[0]:.1f} | {ours[1]:.1f} "
            f"| {ours_n.get('dataprotect-deps', 0)} | {ours_n.get('dataprotect-code', 0)} "
            f"| {ours_n.get('dataprotect', 0)} |"
        ),
        f"| pip-audit | {audit[0]:.1f} | {audit[1]:.1f} | {audit_n} | | |",
        f"| bandit | {bandit[0]:.1f} | {bandit[1]:.1f} | | {bandit_n} | |",
        f"| detect-secrets | {secrets[0]:.1f} | {secrets[1]:.1f} | | | {secrets_n} |",
        (
            f"| the three, one after another | {theirs_wall:.1f} | {theirs_cpu:.1f} "
            f"| {audit_n} | {bandit_n} | {secrets_n} |"
        ),
    ]
    note = (
        f"\n\nTree: {size:.1f} MB ({'src and benchmarks' if quick else 'src, tests, benchmarks, docs'}); "
        f"{hits} seeded advisories affect the environment.  Speed-up, wall "
        f"clock: **{theirs_wall / ours[0]:.1f}x**, CPU: "
        f"**{theirs_cpu / ours[1]:.1f}x**.  Code issues can differ from "
        "bandit's own run by the directories dataprotect does not walk "
        "(virtual environments, build output); the secret counts differ by "
        "design (see the secret-scanning benchmark above)."
    )
    return "\n".join(rows) + note
