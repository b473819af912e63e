"""Entry point of every awml_py_test: runs pytest on the test files passed as arguments."""

import os
import sys

import pytest

if __name__ == "__main__":
    # Runfiles are read-only: no cache provider, no bytecode next to the sources.
    sys.dont_write_bytecode = True
    args = ["-q", "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning"]
    xml = os.environ.get("XML_OUTPUT_FILE")
    if xml:
        args.append("--junitxml=" + xml)
    sys.exit(pytest.main(args + sys.argv[1:]))
