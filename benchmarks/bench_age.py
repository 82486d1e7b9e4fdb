"""age format: ``dataprotect.backup.age`` vs the ``age`` CLI and pyrage.

One run, one large file in the page cache, output to ``/dev/null`` (so the
work is CPU-bound, as in the issue's reference measurements), X25519
recipients, median of interleaved rounds.  Target: dataprotect >= 1.0x the
age CLI in both directions.  Also the peak RSS of a decrypt in a fresh
process, which must not grow with the file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

from pathlib import Path

from benchmarks._timing import child_peak_rss_mib, fmt_rate, interleaved
from dataprotect.backup import age


MIB = 1024 * 1024


def _write_random(path: Path, size: int) -> None:
    block = os.urandom(4 * MIB)
    with path.open("wb") as fh:
        for _ in range(size // len(block)):
            fh.write(block)


def run(quick: bool) -> str:
    size = (64 if quick else 1024) * MIB
    rounds = 2 if quick else 5
    age_cli = shutil.which("age")
    try:
        import pyrage
    except ImportError:  # pragma: no cover - benchmark peer
        pyrage = None
    ident = age.generate_x25519_identity()
    recipient = str(ident.recipient)
    with tempfile.TemporaryDirectory(prefix="bench-age-") as tmp:
        root = Path(tmp)
        plain, sealed, keyfile = (
            root / "plain",
            root / "sealed.age",
            root / "key",
        )
        keyfile.write_text(ident.to_text() + "\n")
        _write_random(plain, size)
        age.encrypt_file(plain, sealed, [recipient])

        def ours_encrypt() -> None:
            with plain.open("rb") as src, open(os.devnull, "wb") as dst:
                age.encrypt(src, dst, [ident.recipient])

        def ours_decrypt() -> None:
            with sealed.open("rb") as src, open(os.devnull, "wb") as dst:
                age.decrypt(src, dst, [ident])

        enc = {"dataprotect": ours_encrypt}
        dec = {"dataprotect": ours_decrypt}
        if age_cli:
            enc["age CLI"] = lambda: subprocess.run(
                [age_cli, "-r", recipient, "-o", os.devnull, str(plain)],
                check=True,
            )
            dec["age CLI"] = lambda: subprocess.run(
                [
                    age_cli,
                    "-d",
                    "-i",
                    str(keyfile),
                    "-o",
                    os.devnull,
                    str(sealed),
                ],
                check=True,
            )
        if pyrage is not None:
            rage_recipient = pyrage.x25519.Recipient.from_str(recipient)
            rage_identity = pyrage.x25519.Identity.from_str(ident.to_text())
            enc["pyrage"] = lambda: pyrage.encrypt_file(
                str(plain), os.devnull, [rage_recipient]
            )
            dec["pyrage"] = lambda: pyrage.decrypt_file(
                str(sealed), os.devnull, [rage_identity]
            )
        times = {
            "encrypt": interleaved(enc, number=1, rounds=rounds),
            "decrypt": interleaved(dec, number=1, rounds=rounds),
        }
        rss = child_peak_rss_mib(
            "from dataprotect.backup import age\n"
            f"ident = age.parse_identity({ident.to_text()!r})\n"
            f"with open({str(sealed)!r}, 'rb') as s, open('/dev/null', 'wb') as d:\n"
            "    age.decrypt(s, d, [ident])\n"
        )
    header = (
        "| direction | dataprotect | age CLI | pyrage "
        "| dataprotect / age CLI (target >= 1.0x) | dataprotect / pyrage |"
    )
    lines = [
        (
            f"### age format, {size // MIB} MiB file to /dev/null "
            f"(median of {rounds} interleaved rounds)"
        ),
        "",
        header,
        "|---|---|---|---|---|---|",
    ]
    for direction, result in times.items():
        rates = {name: size / seconds for name, seconds in result.items()}
        ours = rates["dataprotect"]
        cells = [direction, fmt_rate(ours)]
        cells += [
            fmt_rate(rates[p]) if p in rates else "n/a"
            for p in ("age CLI", "pyrage")
        ]
        cli, rage = rates.get("age CLI"), rates.get("pyrage")
        cells.append(f"**{ours / cli:.2f}x**" if cli else "n/a")
        cells.append(f"{ours / rage:.2f}x" if rage else "n/a")
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        (
            f"Peak RSS of a fresh process decrypting the {size // MIB} MiB "
            f"file: {rss:.1f} MiB (constant: 64 KiB chunks, buffers reused)."
        ),
    ]
    return "\n".join(lines)
