"""Entry point of every awml_py_test: runs pytest on the test files passed as arguments."""

import os
import sys

import pytest


class _Skips:
    """Counts test modules skipped as a whole (pytest.skip(..., allow_module_level=True)) and skipped tests."""

    def __init__(self):
        self.count = 0
        self.reasons = []

    def pytest_collectreport(self, report):
        if report.skipped:
            self.count += 1
            self.reasons.append(str(report.longrepr))

    def pytest_runtest_logreport(self, report):
        if report.skipped:
            self.reasons.append(str(report.longrepr))


if __name__ == "__main__":
    # Runfiles are read-only: no cache provider, no bytecode next to the sources.
    sys.dont_write_bytecode = True
    args = ["-q", "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning"]
    xml = os.environ.get("XML_OUTPUT_FILE")
    if xml:
        args.append("--junitxml=" + xml)
    skips = _Skips()
    rc = pytest.main(args + sys.argv[1:], plugins=[skips])
    # A `<name>_gpu` variant runs only where Bazel found a GPU: a skip there means the GPU stack is broken
    # (e.g. torch without CUDA), which must fail, not pass.
    if os.environ.get("AWML_GPU_TEST") == "1" and skips.reasons:
        print("pytest_main: a GPU test skipped on a machine with a GPU: " + "; ".join(skips.reasons))
        sys.exit(1)
    # A target whose only module skips itself (an optional package is missing) ran nothing on purpose: that is a
    # skip, not pytest's "no tests collected" failure.
    if rc == pytest.ExitCode.NO_TESTS_COLLECTED and skips.count > 0:
        rc = pytest.ExitCode.OK
    sys.exit(rc)
