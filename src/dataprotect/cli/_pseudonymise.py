"""``dataprotect pseudonymise``: a filter that removes personal data from logs."""

from __future__ import annotations

import base64
import binascii
import os

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple, cast, get_args

import click

from dataprotect.cli._common import force_option
from dataprotect.cli._errors import InputError
from dataprotect.cli._files import input_file, output_file, progress
from dataprotect.cli._lines import block_map, line_blocks
from dataprotect.cli._secrets import read_secret
from dataprotect.pseudonymise import (
    FINDING_TYPES,
    Action,
    Pseudonymiser,
    Rotation,
)


__all__ = ["demo_step", "pseudonymise"]

_JOBS_HELP = (
    "Worker processes (default 1), taking blocks of lines in turn; the "
    "output is the same."
)


def _key(key_env: str | None, key_file: str | None) -> bytes | None:
    if key_env is None and key_file is None:
        return None
    text = read_secret("pseudonym key", env=key_env, file=key_file)
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        msg = "the pseudonym key must be 32 bytes in base64"
        raise InputError(msg) from None
    if len(key) != 32:
        msg = "the pseudonym key must be 32 bytes in base64"
        raise InputError(msg)
    return key


class _Cleaned(NamedTuple):
    """One block done: its output, its size and lines, the findings."""

    text: bytes
    size: int
    lines: int
    found: dict[str, int]


def _block_filter(
    p: Pseudonymiser, *, stats: bool
) -> Callable[[bytes], _Cleaned]:
    """What the command does to a block of whole lines: each line (without
    its newline) becomes ``p.pseudonymise(line)``; with *stats* the
    findings are counted by type.

    Decoding, splitting, joining and encoding happen once per block, in C;
    per line there is only the call.  Bytes that are not UTF-8 pass through
    unchanged (surrogate escapes): the newline byte is never part of a
    UTF-8 sequence, so a block decodes as its lines do one by one.
    """
    pseudonymise = p.pseudonymise
    with_counts = p.pseudonymise_with_counts

    def clean(block: bytes) -> _Cleaned:
        # The last item is "" when the block ends with its newline.
        lines = block.decode("utf-8", "surrogateescape").split("\n")
        totals: dict[str, int] = {}
        parts: Iterable[str]
        if stats:
            parts = []
            for part, counts in map(with_counts, lines):
                parts.append(part)
                for name, n in counts.items():
                    totals[name] = totals.get(name, 0) + n
        else:
            parts = map(pseudonymise, lines)
        out = "\n".join(parts).encode("utf-8", "surrogateescape")
        count = len(lines) if lines[-1] else len(lines) - 1
        return _Cleaned(out, len(block), count, totals)

    return clean


def _rules(specs: tuple[str, ...]) -> dict[str, Action]:
    rules: dict[str, Action] = {}
    actions = get_args(Action)
    for spec in specs:
        name, _, action = spec.partition("=")
        if name not in FINDING_TYPES or action not in actions:
            msg = (
                "--rule must be TYPE=ACTION with TYPE one of "
                f"{', '.join(FINDING_TYPES)} and ACTION one of {', '.join(actions)}"
            )
            raise InputError(msg)
        rules[name] = cast("Action", action)
    return rules


@click.command()
@click.argument("source", default="-", metavar="[INPUT]")
@click.option(
    "-o",
    "--output",
    default="-",
    show_default=True,
    help="Output file ('-': stdout).",
)
@force_option
@click.option(
    "--key-env",
    metavar="VAR",
    help="Read the pseudonym key (base64) from VAR.",
)
@click.option(
    "--key-file",
    metavar="PATH",
    help="Read the pseudonym key (base64) from PATH.",
)
@click.option(
    "--rotation",
    type=click.Choice(get_args(Rotation)),
    default="daily",
    show_default=True,
    help="How often pseudonyms change.",
)
@click.option(
    "--rule",
    "rule_specs",
    multiple=True,
    metavar="TYPE=ACTION",
    help="Override one type's action (pseudonym, mask, redact, truncate, keep).",
)
@click.option(
    "--region",
    default="CH",
    show_default=True,
    help="Country for national phone numbers (ISO 3166 code, e.g. DE).",
)
@click.option(
    "--stats", is_flag=True, help="Print findings per type on stderr."
)
@click.option(
    "-j", "--jobs", type=click.IntRange(1, 256), default=1, help=_JOBS_HELP
)
def pseudonymise(
    source: str,
    output: str,
    force: bool,
    key_env: str | None,
    key_file: str | None,
    rotation: Rotation,
    rule_specs: tuple[str, ...],
    region: str,
    stats: bool,
    jobs: int,
) -> None:
    """Copy a log (INPUT or stdin) with personal data pseudonymised.

    Emails, IP addresses, phone numbers, payment cards, IBANs, AHV numbers,
    tokens, passwords and names become pseudonyms such as <email:3f9a1c2e>
    or are redacted.  Without --key-env/--key-file a random key is used, so
    pseudonyms are consistent within this run only.
    """
    key = _key(key_env, key_file)
    p = Pseudonymiser(
        key=key or os.urandom(32),
        rules=_rules(rule_specs),
        rotation=rotation,
        default_region=region.upper(),
    )
    totals: dict[str, int] = {}
    lines = 0
    with (
        input_file(source) as (src, size),
        output_file(output, force=force) as dst,
        block_map(_block_filter(p, stats=stats), jobs) as clean,
    ):
        if key is None:
            click.echo(
                "note: no key given; using a one-off random key", err=True
            )
        with progress(size, "pseudonymising") as advance:
            for done in clean(line_blocks(src)):
                dst.write(done.text)
                dst.flush()  # a live pipe (tail -f) sees each block
                advance(done.size)
                lines += done.lines
                for name, n in done.found.items():
                    totals[name] = totals.get(name, 0) + n
    if stats:
        click.echo(f"lines: {lines}", err=True)
        for name in FINDING_TYPES:
            if totals.get(name):
                click.echo(f"{name}: {totals[name]}", err=True)
        click.echo(f"total findings: {sum(totals.values())}", err=True)


def demo_step(workdir: Path) -> None:
    """Pseudonymise a few log lines and show the daily key rotation."""
    from datetime import datetime, timezone

    p = Pseudonymiser(key=os.urandom(32))
    lines = [
        "login failed for anna.meier@example.ch from 203.0.113.7",
        (
            "login ok for anna.meier@example.ch from 203.0.113.7, "
            "card 4111 1111 1111 1111, AHV 756.1234.5678.97"
        ),
        "GET /reset?token=sk_live_4eC39HqLyjWDarjtT1zdp7dc&password=hunter2",
    ]
    log = workdir / "app.log"
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for line in log.read_text(encoding="utf-8").splitlines():
        click.echo(f"  {p.pseudonymise(line)}")
    day1 = datetime(2024, 3, 1, tzinfo=timezone.utc)
    day2 = datetime(2024, 3, 2, tzinfo=timezone.utc)
    a = p.pseudonym("email", "anna.meier@example.ch", now=day1)
    b = p.pseudonym("email", "anna.meier@example.ch", now=day2)
    click.echo(f"  the same address on two days: {a} / {b} (unlinkable)")
