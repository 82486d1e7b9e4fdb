"""PDF signing and verification: dataprotect.documents vs pyHanko used directly.

Three ways to sign the same document with the same RSA-2048 key, and two
ways to verify it, measured interleaved in one run (median of N rounds):

* ``dataprotect``: :func:`~dataprotect.documents.sign_pdf` /
  :func:`~dataprotect.documents.verify_pdf` (input checks, field naming,
  whole-file coverage and modification checks, the report);
* ``pyHanko (same signer)``: ``PdfSigner.sign_pdf`` driven directly with the
  signer object dataprotect builds (key parsed once): the wrapper's own
  overhead, target <= 5 %;
* ``pyHanko (stock SimpleSigner)``: what a pyHanko user writes, with
  ``SimpleSigner.load_pkcs12_data``, which re-parses the private key for
  every signature (and for the size-estimating dry run).
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import statistics
import time

from collections.abc import Callable

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID


def _pki() -> tuple[x509.Certificate, bytes]:
    now = dt.datetime.now(dt.timezone.utc)

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    root_key = ec.generate_private_key(ec.SECP256R1())
    root = (
        x509.CertificateBuilder()
        .subject_name(name("Bench Root"))
        .issuer_name(name("Bench Root"))
        .public_key(root_key.public_key())
        .serial_number(1)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.BasicConstraints(ca=True, path_length=None), critical=True
        )
        .sign(root_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(65537, 2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name("Bench Signer"))
        .issuer_name(root.subject)
        .public_key(key.public_key())
        .serial_number(2)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
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
        .sign(root_key, hashes.SHA256())
    )
    p12 = pkcs12.serialize_key_and_certificates(
        b"bench",
        key,
        cert,
        [root],
        serialization.BestAvailableEncryption(b"pw"),
    )
    return root, p12


def _document(pages: int) -> bytes:
    """A postmortem of exactly *pages* A4 pages, made with render_report."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    from dataprotect.documents import ReportTemplate, render_report

    template = ReportTemplate("Postmortem", (("Timeline", "$body"),))
    paragraph = (
        "At 09:12 UTC the on-call engineer saw elevated error rates on the "
        "login service. Personal data was not exposed. "
    ) * 4
    count = max(1, pages * 7 - 3)
    while True:
        body = "\n\n".join(paragraph for _ in range(count))
        pdf = render_report(template, {"body": body})
        got = int(PdfFileReader(io.BytesIO(pdf)).root["/Pages"]["/Count"])
        if got == pages:
            return pdf
        count += 1 if got < pages else -1


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def run(quick: bool) -> str:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import fields, signers
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.settings import KeyUsageConstraints
    from pyhanko_certvalidator import ValidationContext

    from dataprotect.documents import Signer, sign_pdf, verify_pdf
    from dataprotect.documents._signers import hanko_signer

    root, p12 = _pki()
    ours = Signer.from_pkcs12(p12, "pw")
    same = hanko_signer(ours)
    stock = signers.SimpleSigner.load_pkcs12_data(p12, [], passphrase=b"pw")
    root_asn1 = __import__(
        "asn1crypto.x509", fromlist=["Certificate"]
    ).Certificate.load(root.public_bytes(serialization.Encoding.DER))
    usage = KeyUsageConstraints(
        key_usage={"digital_signature", "non_repudiation"},
        match_all_key_usages=False,
    )

    def hanko_sign(signer: object, data: bytes) -> bytes:
        meta = signers.PdfSignatureMetadata(
            field_name="Signature1",
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
        )
        out = io.BytesIO()
        signers.PdfSigner(meta, signer=signer).sign_pdf(
            IncrementalPdfFileWriter(io.BytesIO(data)), output=out
        )
        return out.getvalue()

    def hanko_verify(data: bytes) -> bool:
        reader = PdfFileReader(io.BytesIO(data))
        ok = True
        for sig in reader.embedded_regular_signatures:
            status = validate_pdf_signature(
                sig,
                ValidationContext(trust_roots=[root_asn1]),
                key_usage_settings=usage,
            )
            ok = ok and status.bottom_line
        return ok

    rounds = 3 if quick else 41
    sizes = [1] if quick else [1, 100]
    rows = []
    for pages in sizes:
        doc = _document(pages)
        signed = sign_pdf(doc, ours)
        assert verify_pdf(signed, trust_roots=[root]).valid
        assert hanko_verify(signed)
        tasks: dict[str, Callable[[], object]] = {
            "sign: dataprotect": lambda d=doc: sign_pdf(d, ours),
            "sign: pyHanko, same signer": lambda d=doc: hanko_sign(same, d),
            "sign: pyHanko, stock SimpleSigner": lambda d=doc: hanko_sign(
                stock, d
            ),
            "verify: dataprotect": lambda s=signed: verify_pdf(
                s, trust_roots=[root]
            ),
            "verify: pyHanko": lambda s=signed: hanko_verify(s),
        }
        samples: dict[str, list[float]] = {name: [] for name in tasks}
        for fn in tasks.values():  # warm up
            fn()
        order = list(tasks.items())
        for i in range(rounds):
            # alternate the order so drift on a shared machine cancels out
            for name, fn in order if i % 2 == 0 else reversed(order):
                gc.collect()
                gc.disable()  # as timeit does: GC pauses land at random
                try:
                    start = time.process_time()
                    fn()
                    samples[name].append(time.process_time() - start)
                finally:
                    gc.enable()
        med = {name: _median_ms(s) for name, s in samples.items()}
        for op, base in (
            ("sign", "sign: pyHanko, same signer"),
            ("verify", "verify: pyHanko"),
        ):
            for name in tasks:
                if not name.startswith(op):
                    continue
                ratio = med[name] / med[base]
                rows.append(
                    f"| {pages} | {name} | {med[name]:.1f} | {ratio:.2f}x |"
                )
        overhead_sign = (
            med["sign: dataprotect"] / med["sign: pyHanko, same signer"] - 1
        )
        overhead_verify = (
            med["verify: dataprotect"] / med["verify: pyHanko"] - 1
        )
        vs_stock = (
            med["sign: pyHanko, stock SimpleSigner"] / med["sign: dataprotect"]
        )
        rows.append(
            f"| {pages} | **dataprotect overhead** | sign {overhead_sign:+.1%}, "
            f"verify {overhead_verify:+.1%} (target <= +5%) | stock pyHanko signs "
            f"{vs_stock:.2f}x slower |"
        )
    header = (
        "Median CPU time (`time.process_time`: the machine is shared, so "
        "wall time mostly measures the neighbours; GC off while timing, as "
        f"timeit does) of {rounds} interleaved rounds (order alternating), "
        "RSA-2048 key from PKCS#12, "
        "PAdES B-B, one signature; ratio is against pyHanko driven directly "
        "with the same signer (sign) or `validate_pdf_signature` (verify).\n\n"
        "| pages | task | median CPU ms | ratio |\n|---|---|---|---|"
    )
    return header + "\n" + "\n".join(rows)
