"""Record ``restic forget`` decisions as ``retention/restic-forget.json``.

Run from the repository root with ``restic`` installed:
``python tests/vectors/make_retention_vectors.py``.  The committed file is
the reference that ``tests/backup/test_retention.py`` checks on every run,
restic installed or not; with restic installed the tests also replay the
same cases against the live binary.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile

from pathlib import Path


OUT = Path(__file__).parent / "retention" / "restic-forget.json"
TZ = "Europe/Berlin"

# Local times in Europe/Berlin, chosen to cover hours, days, ISO weeks across
# a year end, months, years, and both DST changes (no ambiguous hour).
SNAPSHOT_TIMES = [
    "2021-06-15 10:00:00",
    "2022-02-28 23:30:00",
    "2022-12-31 22:00:00",
    "2023-01-01 01:00:00",
    "2023-01-02 09:00:00",
    "2023-10-29 01:30:00",
    "2023-10-29 04:00:00",
    "2024-01-01 00:00:01",
    "2024-02-29 12:00:00",
    "2024-03-30 23:00:00",
    "2024-03-31 03:30:00",
    "2024-03-31 18:00:00",
    "2024-04-30 23:59:59",
    "2024-05-01 00:00:00",
    "2024-12-29 10:00:00",
    "2024-12-30 10:00:00",
    "2025-01-05 23:00:00",
    "2025-01-06 00:30:00",
    "2025-02-10 08:00:00",
    "2025-02-10 08:30:00",
    "2025-02-10 09:15:00",
    "2025-02-11 07:00:00",
    "2025-02-12 07:00:00",
    "2025-02-12 19:00:00",
]

# (RetentionPolicy keyword arguments, restic flags).  restic 0.14 has no
# "-1 = unlimited", so 1000 stands in for it on restic's side.
CASES = [
    ({"keep_last": 5}, ["--keep-last", "5"]),
    ({"keep_hourly": 4}, ["--keep-hourly", "4"]),
    ({"keep_daily": 7}, ["--keep-daily", "7"]),
    ({"keep_weekly": 6}, ["--keep-weekly", "6"]),
    ({"keep_monthly": 6}, ["--keep-monthly", "6"]),
    ({"keep_yearly": -1}, ["--keep-yearly", "1000"]),
    (
        {
            "keep_daily": 3,
            "keep_weekly": 2,
            "keep_monthly": 3,
            "keep_yearly": 2,
        },
        [
            "--keep-daily",
            "3",
            "--keep-weekly",
            "2",
            "--keep-monthly",
            "3",
            "--keep-yearly",
            "2",
        ],
    ),
    ({"keep_within": "3d"}, ["--keep-within", "3d"]),
    ({"keep_within": "1y2m3d4h"}, ["--keep-within", "1y2m3d4h"]),
    ({"keep_within": "11m19d"}, ["--keep-within", "11m19d"]),
    ({"keep_within_hourly": "2d"}, ["--keep-within-hourly", "2d"]),
    ({"keep_within_daily": "1m"}, ["--keep-within-daily", "1m"]),
    ({"keep_within_weekly": "2y"}, ["--keep-within-weekly", "2y"]),
    ({"keep_within_monthly": "2y"}, ["--keep-within-monthly", "2y"]),
    ({"keep_within_yearly": "10y"}, ["--keep-within-yearly", "10y"]),
    (
        {"keep_last": 2, "keep_within_daily": "1m", "keep_monthly": 3},
        [
            "--keep-last",
            "2",
            "--keep-within-daily",
            "1m",
            "--keep-monthly",
            "3",
        ],
    ),
    (
        {"keep_hourly": -1, "keep_within": "20d", "keep_within_weekly": "1y"},
        [
            "--keep-hourly",
            "1000",
            "--keep-within",
            "20d",
            "--keep-within-weekly",
            "1y",
        ],
    ),
]


def restic_env(root: Path) -> dict[str, str]:
    """Environment for a throwaway restic repository under *root*."""
    return dict(
        os.environ,
        RESTIC_PASSWORD="test-only",
        RESTIC_REPOSITORY=str(root / "repo"),
        RESTIC_CACHE_DIR=str(root / "cache"),
        TZ=TZ,
    )


def make_repository(restic: str, root: Path) -> None:
    """A repository with one tiny snapshot per entry of SNAPSHOT_TIMES."""
    (root / "data").write_bytes(b"tiny")
    env = restic_env(root)
    run = [restic, "-q"]
    subprocess.run([*run, "init"], env=env, cwd=root, check=True)
    for when in SNAPSHOT_TIMES:
        subprocess.run(
            [*run, "backup", "--host", "h", "--time", when, "data"],
            env=env,
            cwd=root,
            check=True,
        )


def forget(restic: str, root: Path, flags: list[str]) -> dict[str, object]:
    """restic's dry-run decision for *flags*, reduced to ids and reasons."""
    out = subprocess.run(
        [restic, "-q", "forget", "--dry-run", "--json", *flags],
        env=restic_env(root),
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    (group,) = json.loads(out)
    return {
        "keep": [s["id"] for s in group["keep"] or []],
        "remove": [s["id"] for s in group["remove"] or []],
        "reasons": [r["matches"] for r in group["reasons"]],
    }


def main() -> None:
    restic = "restic"
    version = subprocess.run(
        [restic, "version"], check=True, capture_output=True, text=True
    ).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_repository(restic, root)
        snapshots = json.loads(
            subprocess.run(
                [restic, "-q", "snapshots", "--json"],
                env=restic_env(root),
                cwd=root,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        cases = [
            {"kwargs": kwargs, "flags": flags, **forget(restic, root, flags)}
            for kwargs, flags in CASES
        ]
    doc = {
        "generator": "tests/vectors/make_retention_vectors.py",
        "restic": version,
        "tz": TZ,
        "snapshots": [{"id": s["id"], "time": s["time"]} for s in snapshots],
        "cases": cases,
    }
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
