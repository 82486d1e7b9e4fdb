"""``dataprotect pdf``: render, sign and verify PDF documents."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import warnings

from pathlib import Path

import click

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.oid import NameOID

from dataprotect.cli._common import force_option
from dataprotect.cli._errors import InputError
from dataprotect.cli._files import output_file
from dataprotect.cli._secrets import pkcs11_pin, read_secret


__all__ = ["demo_step", "pdf"]

_TEMPLATES = ("agreement", "incident")


def _quiet_pyhanko() -> None:
    """Keep pyHanko's diagnostic tracebacks off the terminal (the report
    says what is wrong), and its import-time deprecation warning too."""
    warnings.filterwarnings(
        "ignore",
        message="DSA is deprecated",
        category=CryptographyDeprecationWarning,
    )
    logging.getLogger("pyhanko").addHandler(logging.NullHandler())
    logging.getLogger("pyhanko_certvalidator").addHandler(
        logging.NullHandler()
    )


def _read_input(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    return Path(path).read_bytes()


@click.group()
def pdf() -> None:
    """Render, sign and verify PDF documents (PAdES)."""
    _quiet_pyhanko()


@pdf.command()
@click.argument("file")
@click.option(
    "-o",
    "--output",
    metavar="PATH",
    help="Signed output ('-' for stdout, never a terminal; default "
    "FILE.signed.pdf).",
)
@force_option
@click.option(
    "--p12",
    "p12_path",
    metavar="PATH",
    help="Sign with the key and certificate in a PKCS#12 file.",
)
@click.option(
    "--key", "key_path", metavar="PATH", help="Private key (PEM/DER)."
)
@click.option(
    "--cert",
    "cert_path",
    metavar="PATH",
    help="Signer certificate (with --key, or for --pkcs11).",
)
@click.option(
    "--chain",
    "chain_paths",
    metavar="PATH",
    multiple=True,
    help="Intermediate certificates to embed (repeatable).",
)
@click.option(
    "--pkcs11",
    "pkcs11_uri",
    metavar="URI",
    help="Sign with a key on a PKCS#11 token (RFC 7512 URI).",
)
@click.option(
    "--passphrase-env",
    metavar="VAR",
    help="Read the passphrase or PIN from VAR.",
)
@click.option(
    "--passphrase-file",
    metavar="PATH",
    help="Read the passphrase or PIN from PATH.",
)
@click.option("--reason", metavar="TEXT", help="Reason for signing.")
@click.option("--location", metavar="TEXT", help="Where it is signed.")
@click.option(
    "--field",
    "field_name",
    metavar="NAME",
    help="Signature field (default: next free SignatureN).",
)
@click.option(
    "--tsa",
    "tsa_url",
    metavar="URL",
    help="RFC 3161 time-stamping authority (PAdES B-T).",
)
def sign(
    file: str,
    output: str | None,
    force: bool,
    p12_path: str | None,
    key_path: str | None,
    cert_path: str | None,
    chain_paths: tuple[str, ...],
    pkcs11_uri: str | None,
    passphrase_env: str | None,
    passphrase_file: str | None,
    reason: str | None,
    location: str | None,
    field_name: str | None,
    tsa_url: str | None,
) -> None:
    """Sign FILE ('-' for stdin) with a PAdES signature."""
    from dataprotect.documents import Signer, sign_pdf

    sources = [
        p12_path is not None,
        key_path is not None,
        pkcs11_uri is not None,
    ]
    if sum(sources) != 1:
        msg = "give exactly one of --p12, --key (with --cert) or --pkcs11"
        raise InputError(msg)
    if p12_path is not None:
        passphrase = read_secret(
            "PKCS#12 passphrase", env=passphrase_env, file=passphrase_file
        )
        signer = Signer.from_pkcs12(p12_path, passphrase)
    elif key_path is not None:
        if cert_path is None:
            msg = "--key needs --cert"
            raise InputError(msg)
        key = Path(key_path).read_bytes()
        key_pass = None
        if b"ENCRYPTED" in key:
            key_pass = read_secret(
                "key passphrase", env=passphrase_env, file=passphrase_file
            )
        signer = Signer.from_pem(
            key,
            Path(cert_path),
            list(map(Path, chain_paths)),
            passphrase=key_pass,
        )
    else:
        assert pkcs11_uri is not None  # noqa: S101 - narrowing for mypy; exactly one source, checked above
        pin = pkcs11_pin(pkcs11_uri, env=passphrase_env, file=passphrase_file)
        signer = Signer.from_pkcs11(
            pkcs11_uri,
            pin=pin,
            cert=None if cert_path is None else Path(cert_path),
            chain=list(map(Path, chain_paths)),
        )
    signed = sign_pdf(
        _read_input(file),
        signer,
        reason=reason,
        location=location,
        field_name=field_name,
        timestamp_url=tsa_url,
    )
    signer.close()
    target = output or ("-" if file == "-" else f"{file}.signed.pdf")
    with output_file(target, binary=True, force=force) as fh:
        fh.write(signed)
    if target != "-":
        click.echo(f"signed by {signer.subject}: {target}", err=True)


@pdf.command()
@click.argument("file")
@click.option(
    "--trust-root",
    "trust_roots",
    metavar="PATH",
    multiple=True,
    required=True,
    help="A trusted root certificate, PEM or DER (repeatable).",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the report as JSON."
)
def verify(file: str, trust_roots: tuple[str, ...], as_json: bool) -> None:
    """Verify every signature in FILE; exit 1 unless all are valid."""
    from dataprotect.documents import verify_pdf

    roots = [Path(p) for p in trust_roots]
    for root in roots:
        if not root.is_file():
            msg = f"cannot read trust root: {root}"
            raise InputError(msg)
    report = verify_pdf(_read_input(file), trust_roots=roots)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "valid": report.valid,
                    "problems": list(report.problems),
                    "signatures": [
                        {
                            "field": s.field_name,
                            "signer": s.signer_subject,
                            "signing_time": None
                            if s.signing_time is None
                            else s.signing_time.isoformat(),
                            "timestamped": s.timestamp_time is not None,
                            "reason": s.reason,
                            "location": s.location,
                            "intact": s.intact,
                            "trusted": s.trusted,
                            "covers_whole_document": s.covers_whole_document,
                            "modification_level": s.modification_level,
                            "valid": s.valid,
                            "problems": list(s.problems),
                        }
                        for s in report.signatures
                    ],
                },
                indent=2,
            )
        )
    else:
        for s in report.signatures:
            mark = "valid" if s.valid else "NOT VALID"
            when = (
                "-"
                if s.signing_time is None
                else f"{s.signing_time:%Y-%m-%d %H:%M:%S %Z}"
            )
            ts = " (timestamped)" if s.timestamp_time is not None else ""
            click.echo(f"{s.field_name}: {mark}")
            click.echo(f"  signer: {s.signer_subject or '-'}")
            click.echo(f"  signed at: {when}{ts}")
            click.echo(
                f"  intact: {_yes(s.intact)}  trusted: {_yes(s.trusted)}  "
                f"whole document: {_yes(s.covers_whole_document)}  "
                f"changes after: {s.modification_level}"
            )
            for problem in s.problems:
                click.echo(f"  problem: {problem}")
        if report.valid:
            click.echo(
                f"document valid: {len(report.signatures)} signature(s)"
            )
        else:
            for problem in report.problems:
                if not report.signatures:
                    click.echo(f"problem: {problem}")
            click.echo("document NOT valid")
    if not report.valid:
        raise SystemExit(1)


def _yes(flag: bool) -> str:
    return "yes" if flag else "NO"


@pdf.command()
@click.option(
    "--template",
    type=click.Choice(_TEMPLATES),
    required=True,
    help="The document to make.",
)
@click.option(
    "-f",
    "--field",
    "fields",
    metavar="NAME=VALUE",
    multiple=True,
    help="A template field (repeatable).",
)
@click.option(
    "-o",
    "--output",
    required=True,
    metavar="PATH",
    help="Output PDF ('-' for stdout, never a terminal).",
)
@click.option(
    "--font",
    "fonts",
    metavar="PATH",
    multiple=True,
    help="A TrueType/OpenType font file; the first sets the text, others "
    "are fallbacks (repeatable; default: DejaVu Sans, and a CJK font, "
    "from the system).",
)
@force_option
def render(
    template: str,
    fields: tuple[str, ...],
    output: str,
    fonts: tuple[str, ...],
    force: bool,
) -> None:
    """Make a PDF from a built-in template, ready to sign.

    Characters no font covers are refused, never replaced by '?'.
    """
    from dataprotect.documents import (
        AGREEMENT,
        INCIDENT_POSTMORTEM,
        render_report,
    )

    values: dict[str, str] = {}
    for item in fields:
        name, sep, value = item.partition("=")
        if not sep or not name:
            msg = "--field must be NAME=VALUE"
            raise InputError(msg)
        values[name] = value
    chosen = AGREEMENT if template == "agreement" else INCIDENT_POSTMORTEM
    missing = sorted(chosen.fields - values.keys())
    if missing:
        msg = f"missing template fields: {', '.join(missing)}"
        raise InputError(msg)
    unknown = sorted(values.keys() - chosen.fields)
    if unknown:
        msg = (
            f"unknown template fields: {', '.join(unknown)} (the {template} "
            f"template has {', '.join(sorted(chosen.fields))})"
        )
        raise InputError(msg)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        data = render_report(chosen, values, fonts=list(fonts) or None)
    for warning in caught:
        click.echo(f"note: {warning.message}", err=True)
    with output_file(output, binary=True, force=force) as fh:
        fh.write(data)


def _demo_pki() -> tuple[
    x509.Certificate, ec.EllipticCurvePrivateKey, x509.Certificate
]:
    """A throw-away root CA and an EC signer certificate, made now."""

    def name(cn: str) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Demo Org"),
                x509.NameAttribute(NameOID.COMMON_NAME, cn),
            ]
        )

    now = dt.datetime.now(dt.timezone.utc)
    root_key = ec.generate_private_key(ec.SECP256R1())
    key = ec.generate_private_key(ec.SECP256R1())
    root = (
        x509.CertificateBuilder()
        .subject_name(name("Demo Root CA"))
        .issuer_name(name("Demo Root CA"))
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.BasicConstraints(ca=True, path_length=None), critical=True
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()),
            critical=False,
        )
        .sign(root_key, hashes.SHA256())
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name("Alice Example"))
        .issuer_name(root.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.BasicConstraints(ca=False, path_length=None), critical=True
        )
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(
                root_key.public_key()
            ),
            critical=False,
        )
        .sign(root_key, hashes.SHA256())
    )
    return root, key, cert


def demo_step(workdir: Path) -> None:
    """Render an agreement, sign it, verify it, tamper with it, verify again."""
    from dataprotect.documents import (
        AGREEMENT,
        Signer,
        render_report,
        sign_pdf,
        verify_pdf,
    )

    _quiet_pyhanko()
    root, key, cert = _demo_pki()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    signer = Signer.from_pem(pem, cert)
    doc = render_report(
        AGREEMENT,
        {
            "organisation": "Example GmbH",
            "employee": "Alice Example",
            "role": "site reliability engineer",
            "date": dt.datetime.now(dt.timezone.utc).date().isoformat(),
            "systems": "production database, backups",
        },
    )
    click.echo(f"  rendered a confidentiality agreement ({len(doc):,} bytes)")
    signed = sign_pdf(
        doc, signer, reason="I agree to the terms", location="Berlin"
    )
    (workdir / "agreement.signed.pdf").write_bytes(signed)
    report = verify_pdf(signed, trust_roots=[root])
    sig = report.signatures[0]
    click.echo(
        f"  signed by {sig.signer_subject}; verify: valid={report.valid}, "
        f"whole document={sig.covers_whole_document}"
    )
    tampered = bytearray(signed)
    tampered[len(doc) // 2] ^= 0x01
    bad = verify_pdf(bytes(tampered), trust_roots=[root])
    click.echo(
        f"  one flipped byte: valid={bad.valid} "
        f"(intact={bad.signatures[0].intact if bad.signatures else False})"
    )
