"""Hypothesis strategies shared by the test modules."""

from __future__ import annotations

from hypothesis import strategies as st


keys = st.binary(min_size=32, max_size=32)
plaintexts = st.binary(max_size=4096)
contexts = st.binary(max_size=64)
