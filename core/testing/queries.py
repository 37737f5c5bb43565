"""Exact query counts in tests, with the SQL printed when the count is wrong (so a new N+1 says where)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext


@contextmanager
def assert_query_count(expected: int | dict[str, int], *, using: str = "default") -> Iterator[CaptureQueriesContext]:
    """The block runs exactly `expected` queries (savepoints count). `expected` may differ by database
    vendor: `{"sqlite": 5, "mysql": 6}`. On failure every statement is printed, numbered."""
    caller = sys._getframe(2)  # the `with` statement (through contextmanager's __enter__)
    where = f"{caller.f_code.co_filename.rsplit('/', 1)[-1]}:{caller.f_lineno}"
    connection = connections[using]
    if isinstance(expected, dict):
        expected = expected[connection.vendor]
    with CaptureQueriesContext(connection) as captured:
        yield captured
    actual = len(captured.captured_queries)
    if actual != expected:
        statements = "\n".join(f"{n}. {query['sql']}" for n, query in enumerate(captured.captured_queries, 1))
        pytest.fail(
            f"{where}: {actual} queries on {connection.vendor}, expected {expected}:\n{statements}", pytrace=False
        )
