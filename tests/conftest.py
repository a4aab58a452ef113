"""Shared fixtures: small, seeded runs of the real model."""

from __future__ import annotations

import functools

import pytest


@functools.lru_cache(maxsize=64)
def _summary(items: tuple, seed: int) -> dict:
    from clustersim.model import simulate

    return simulate(dict(items), seed)


def summary(seed: int = 1, **config) -> dict:
    """End-of-run outcomes of a (cached) run; lists in config are turned into tuples."""
    items = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in config.items()))
    return _summary(items, seed)


@pytest.fixture
def run_summary():
    return summary
