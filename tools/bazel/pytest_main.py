"""Entry point of every awml_py_test: runs pytest on the test files passed as arguments."""

import os
import sys

import pytest


class _ModuleSkips:
    """Counts test modules skipped as a whole (pytest.skip(..., allow_module_level=True))."""

    def __init__(self):
        self.count = 0

    def pytest_collectreport(self, report):
        if report.skipped:
            self.count += 1


if __name__ == "__main__":
    # Runfiles are read-only: no cache provider, no bytecode next to the sources.
    sys.dont_write_bytecode = True
    args = ["-q", "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning"]
    xml = os.environ.get("XML_OUTPUT_FILE")
    if xml:
        args.append("--junitxml=" + xml)
    skips = _ModuleSkips()
    rc = pytest.main(args + sys.argv[1:], plugins=[skips])
    # A target whose only module skips itself (e.g. a GPU-only test here) ran nothing on purpose: that is a
    # skip, not pytest's "no tests collected" failure.
    if rc == pytest.ExitCode.NO_TESTS_COLLECTED and skips.count > 0:
        rc = pytest.ExitCode.OK
    sys.exit(rc)
