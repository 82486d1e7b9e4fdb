"""Sphinx configuration for dataprotect's documentation."""

from __future__ import annotations

import os
import sys

from importlib.metadata import PackageNotFoundError, version as _version


sys.path.insert(0, os.path.abspath("../src"))

project = "dataprotect"
author = "The dataprotect developers"
copyright = "2026, The dataprotect developers"
try:
    release = _version("dataprotect")
except PackageNotFoundError:  # building from a source tree
    release = "dev"

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.doctest",
    "sphinx.ext.intersphinx",
    "sphinx_copybutton",
]
myst_enable_extensions = ["colon_fence"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
html_theme = "furo"
html_title = "dataprotect"

autodoc_typehints = "description"
autodoc_typehints_description_target = "documented"
autodoc_member_order = "bysource"
napoleon_google_docstring = True
napoleon_numpy_docstring = False
nitpicky = True
nitpick_ignore_regex = [
    (r"py:class", r"(typing|collections\.abc|_io|os)\..*"),
    (r"py:class", r"(BinaryIO|PathLike|Final|Literal)(\[.*)?"),
    (r"py:class", r"cryptography\..*"),
    (r"py:class", r"dataprotect\._.*"),
    (r"py:class", r"[A-Za-z]+"),  # unresolvable names inside Literal[...] etc.
    (r"py:class", r"datetime\..*"),  # intersphinx is offline in CI
    (r"py:class", r"dataprotect\..*\._.*"),  # private modules' TypeVars
]
suppress_warnings = ["myst.header"]
intersphinx_mapping = {
    "python": ("https://docs.python.org/3", None),
}
intersphinx_disabled_reftypes = ["*"]
intersphinx_timeout = 1

doctest_global_setup = """
import os, io, tempfile, pathlib
os.chdir(tempfile.mkdtemp(prefix="dataprotect-doctest-"))
"""
