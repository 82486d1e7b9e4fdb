"""Encrypted backups."""

from __future__ import annotations
