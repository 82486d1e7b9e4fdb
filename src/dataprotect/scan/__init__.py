"""Automatic scanning: secrets in code (:mod:`dataprotect.scan.secrets`) and
SSH server configuration (:mod:`dataprotect.scan.ssh`).

TLS configuration is checked by :mod:`dataprotect.tls`.

.. versionadded:: 0.1.0
"""

from __future__ import annotations


__all__: list[str] = []
