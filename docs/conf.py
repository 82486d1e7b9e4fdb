"""Sphinx configuration for dataprotect's documentation."""

from __future__ import annotations

import os
import sys

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version


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
# The build is offline (no intersphinx), so nitpicky mode checks references
# to dataprotect's own objects; anything else is taken as is.
nitpick_ignore_regex = [
    (r"py:.*", r"(?!dataprotect\.).*"),
    (r"py:.*", r"dataprotect\._.*"),
    (r"py:.*", r"dataprotect\..*\._.*"),  # private modules' TypeVars
]
suppress_warnings = ["myst.header"]

doctest_global_setup = """
import os, io, tempfile, pathlib
os.chdir(tempfile.mkdtemp(prefix="dataprotect-doctest-"))
"""
