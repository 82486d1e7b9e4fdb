"""Build extra.jsonl from the marked-up extra.txt (run by hand after edits)."""

from __future__ import annotations

import json
import re

from pathlib import Path


HERE = Path(__file__).parent
MARK = re.compile(r"\[\[(\w+)\|(.*?)\]\]|\{\{(\w+)\|(.*?)\}\}")


def build() -> list[dict[str, object]]:
    """Parse extra.txt into labelled records."""
    records = []
    lines = (HERE / "extra.txt").read_text(encoding="utf-8").splitlines()
    for line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        text, spans, decoys, pos = "", [], [], 0
        for m in MARK.finditer(line):
            text += line[pos : m.start()]
            kind, value = (
                (m.group(1), m.group(2))
                if m.group(1)
                else (m.group(3), m.group(4))
            )
            start = len(text)
            text += value
            (spans if m.group(1) else decoys).append([start, len(text), kind])
            pos = m.end()
        text += line[pos:]
        records.append(
            {
                "id": len(records),
                "source": "extra",
                "locale": "mixed",
                "text": text,
                "spans": spans,
                "decoys": decoys,
            }
        )
    return records


if __name__ == "__main__":
    with (HERE / "extra.jsonl").open("w", encoding="utf-8") as fh:
        for record in build():
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
