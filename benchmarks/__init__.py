"""Benchmarks: dataprotect side by side with the tools users would pick."""
