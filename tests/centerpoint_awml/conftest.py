"""Shared fixture: the framework logger's messages (it stops propagating once a deploy has set up logging, so
pytest's caplog does not see them after such a test)."""

from __future__ import annotations

import logging

import pytest

from awml_deploy.runtime import register_project

# The bundle registers itself as its deploy binary does (tools/bazel/defs.bzl awml_project_deploy).
register_project("centerpoint", "projects.centerpoint.runner")


@pytest.fixture
def notices():
    """list[str]: WARNING+ messages of the ``awml_deploy`` logger during the test."""
    records: list[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: records.append(record.getMessage())
    logger = logging.getLogger("awml_deploy")
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)
