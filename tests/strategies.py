"""Hypothesis strategies shared by the test modules."""

from __future__ import annotations

from hypothesis import strategies as st


keys = st.binary(min_size=32, max_size=32)
plaintexts = st.binary(max_size=4096)
contexts = st.binary(max_size=64)
# Passwords marked "Zq9" holding raw URI delimiters, for redaction tests.
raw_uri_passwords = st.text(
    st.sampled_from("abcXYZ019:/?#@%[]&=;!$"), min_size=1, max_size=12
).map(lambda t: "Zq9" + t)
# Secret text, about half of it with a lone surrogate somewhere (st.text()
# leaves out Cs), marked "Zq9" so that a leak into a message or traceback
# is found.
_any_text = st.text(st.characters(exclude_categories=()), max_size=15)
secret_texts = st.builds(
    lambda head, odd, tail: "Zq9" + head + odd + tail,
    _any_text,
    st.just("") | st.characters(categories=["Cs"]),
    _any_text,
)
