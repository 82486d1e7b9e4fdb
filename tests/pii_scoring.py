"""Per-type precision and recall on a labelled PII file.

The same rules as the sample's ``score.py`` (tests/vectors/pii/README.md):
``api_key``, ``secret_param`` and ``url_credential`` form one group,
``credential``; the sample's postal ``address`` labels are scored as
``postal_address`` (not one of its targets); a gold span is found if a finding of its group overlaps it;
a finding is correct if it overlaps a gold span of its group; a decoy is hit
if any finding overlaps it.  Re-implemented here so tests never import from
outside the repository.
"""

from __future__ import annotations

import json

from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any


VECTORS = Path(__file__).parent / "vectors" / "pii"
GROUP = {
    "api_key": "credential",
    "secret_param": "credential",
    "url_credential": "credential",
    "address": "postal_address",
}
GROUPS = [
    "email", "ip", "phone", "payment_card", "iban", "ahv", "jwt",
    "credential", "person_name", "postal_address",
]  # fmt: skip


def load(name: str) -> list[dict[str, Any]]:
    """The records of a JSONL file in tests/vectors/pii."""
    with (VECTORS / name).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _ov(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score(
    records: Iterable[dict[str, Any]],
    findings: Callable[[str], list[tuple[int, int, str]]],
) -> dict[str, Any]:
    """Precision, recall, decoy hits and negative-line hits."""
    gold_n: dict[str, int] = defaultdict(int)
    found: dict[str, int] = defaultdict(int)
    pred_n: dict[str, int] = defaultdict(int)
    pred_ok: dict[str, int] = defaultdict(int)
    decoys = decoys_hit = negatives = negatives_hit = 0
    kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in records:
        gold = [(s, e, GROUP.get(t, t)) for s, e, t in r["spans"]]
        pred = [(s, e, GROUP.get(t, t)) for s, e, t in findings(r["text"])]
        for s, e, g in gold:
            gold_n[g] += 1
            found[g] += any(
                q[2] == g and _ov((q[0], q[1]), (s, e)) for q in pred
            )
        for s, e, g in pred:
            pred_n[g] += 1
            pred_ok[g] += any(
                gg == g and _ov((s, e), (gs, ge)) for gs, ge, gg in gold
            )
        for s, e, kind in r.get("decoys", []):
            hit = any(_ov((q[0], q[1]), (s, e)) for q in pred)
            decoys += 1
            decoys_hit += hit
            kinds[kind][0] += 1
            kinds[kind][1] += hit
        if not r["spans"]:
            negatives += 1
            negatives_hit += bool(pred)
    rows = {}
    for g in GROUPS:
        rows[g] = {
            "gold": gold_n[g],
            "pred": pred_n[g],
            "precision": pred_ok[g] / pred_n[g] if pred_n[g] else 1.0,
            "recall": found[g] / gold_n[g] if gold_n[g] else 1.0,
        }
    return {
        "groups": rows,
        "decoys": decoys,
        "decoys_hit": decoys_hit,
        "decoy_kinds": {k: tuple(v) for k, v in sorted(kinds.items())},
        "negatives": negatives,
        "negatives_hit": negatives_hit,
    }


def score_findings(
    records: list[dict[str, Any]], findings: Callable[[str], Iterable[Any]]
) -> dict[str, Any]:
    """:func:`score` of a detector whose findings have start, end, type."""
    found = {
        r["text"]: [(f.start, f.end, f.type) for f in findings(r["text"])]
        for r in records
    }
    return score(records, found.__getitem__)


def table(result: dict[str, Any], title: str) -> str:
    """A Markdown table of *result*."""
    lines = [
        f"**{title}**",
        "",
        "| type | gold | found | precision | recall |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for g, row in result["groups"].items():
        if row["gold"] or row["pred"]:
            lines.append(
                f"| {g} | {row['gold']} | {row['pred']} | "
                f"{row['precision']:.3f} | {row['recall']:.3f} |"
            )
    lines.append("")
    lines.append(
        f"Decoys hit: {result['decoys_hit']}/{result['decoys']}; lines "
        f"without personal data with a finding: "
        f"{result['negatives_hit']}/{result['negatives']}."
    )
    return "\n".join(lines)
