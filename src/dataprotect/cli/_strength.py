"""``dataprotect check-password``: NIST SP 800-63B feedback on a password."""

from __future__ import annotations

import json

from pathlib import Path

import click

from dataprotect.cli._common import locale_option
from dataprotect.cli._secrets import read_secret


__all__ = ["check_password_command", "demo_step"]


@click.command("check-password")
@click.option(
    "--password-env", metavar="VAR", help="Read the password from VAR."
)
@click.option(
    "--password-file", metavar="PATH", help="Read the password from PATH."
)
@click.option(
    "--user-input",
    "user_inputs",
    multiple=True,
    metavar="TEXT",
    help="Context the password must not be built from: user name, email, "
    "service name (repeatable).",
)
@locale_option("Language of the feedback.")
@click.option(
    "--min-length",
    type=click.IntRange(8, 64),
    default=8,
    show_default=True,
    help="Minimum length in characters (15 when the password is the only factor).",
)
@click.option(
    "--min-score",
    type=click.IntRange(0, 4),
    default=3,
    show_default=True,
    help="zxcvbn score (0-4) needed.",
)
@click.option(
    "--breached",
    metavar="PATH",
    help="Offline breached-password list: a directory of HIBP range files "
    "or one sorted SHA1:COUNT file.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def check_password_command(
    *,
    password_env: str | None,
    password_file: str | None,
    user_inputs: tuple[str, ...],
    locale: str,
    min_length: int,
    min_score: int,
    breached: str | None,
    as_json: bool,
) -> None:
    """Check a password against NIST SP 800-63B and rate its strength.

    The password comes from a no-echo prompt, --password-env,
    --password-file, or stdin when it is not a terminal; never from the
    command line.  Exit status 1 when the password is not acceptable.
    """
    from dataprotect.strength import (
        BreachedPasswords,
        check_password,
    )

    breached_list = BreachedPasswords(breached) if breached else None
    password = read_secret(
        "password", env=password_env, file=password_file, stdin=True
    )
    feedback = check_password(
        password,
        user_inputs=user_inputs,
        locale=locale,
        min_length=min_length,
        min_score=min_score,
        breached=breached_list,
    )
    if as_json:
        click.echo(
            json.dumps(feedback.to_dict(), ensure_ascii=False, indent=2)
        )
    else:
        verdict = (
            click.style("acceptable", fg="green", bold=True)
            if feedback.acceptable
            else click.style("not acceptable", fg="red", bold=True)
        )
        click.echo(
            f"{verdict}: score {feedback.score}/4, about "
            f"10^{feedback.guesses_log10:.1f} guesses, "
            f"{feedback.length} characters"
        )
        if feedback.truncated and feedback.analysed_length:
            click.echo(
                f"(strength estimated from the first "
                f"{feedback.analysed_length} characters)"
            )
        for violation in feedback.violations:
            click.echo(f"  {click.style('x', fg='red')} {violation.message}")
        if feedback.warning:
            click.echo(f"  {click.style('!', fg='yellow')} {feedback.warning}")
        for suggestion in feedback.suggestions:
            click.echo(f"  - {suggestion}")
    if not feedback.acceptable:
        raise SystemExit(1)


def demo_step(workdir: Path) -> None:
    """Show the feedback for a few passwords, with a breached list."""
    from dataprotect.strength import (
        BreachedPasswords,
        check_password,
    )

    breached = BreachedPasswords.build(
        workdir / "breached", ["Summer2019!", "correct horse battery staple"]
    )
    context = ["alice", "alice@example.com", "example"]
    for label, password in [
        ("'password'", "password"),
        ("'alice2024!'", "alice2024!"),
        ("'Summer2019!'", "Summer2019!"),
        ("a four-word passphrase", "plinth rowboat gazebo nectar"),
    ]:
        fb = check_password(password, user_inputs=context, breached=breached)
        rules = ", ".join(v.id for v in fb.violations) or "none"
        verdict = "acceptable" if fb.acceptable else "refused"
        click.echo(
            f"  {label}: score {fb.score}/4, violations: {rules} -> {verdict}"
        )
    fb = check_password("a" * 4096)
    click.echo(
        f"  4096 characters: analysed {fb.analysed_length}, "
        f"score {fb.score}/4 (bounded cost)"
    )
    fb = check_password("password", locale="de")
    click.echo(f"  German feedback: {fb.violations[0].message}")
