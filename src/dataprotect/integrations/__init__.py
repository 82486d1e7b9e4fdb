"""Thin adapters that connect dataprotect to frameworks and libraries."""
