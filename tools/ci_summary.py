"""Turns a `bazel test` run into labelled lines and a last line `N passed, N failed, N skipped` (test cases).

Test cases come from each test target's JUnit XML (pytest and GoogleTest both write one; a GTEST_SKIP or a
pytest skip inside a target that Bazel calls PASSED is a skipped case). A target that failed to build, timed
out or crashed without XML counts as one failed case; a target Bazel SKIPPED (incompatible: TensorRT, CUDA,
GoogleTest or a GPU absent) never ran, so it counts as one skipped case and is named on a `bazel:` line.

Checks that are not test cases (lint, each bundle's deploy run) are passed as `--check NAME=passed|failed`:
each gets a `check:` line of its own and is not added to the counts, but a failed one makes the exit code 1.

    python3 tools/ci_summary.py --bazel-log bazel_test.log --testlogs "$(bazel info bazel-testlogs)" \\
        --check lint=passed --check "deploy centerpoint=failed"
"""

import argparse
import dataclasses
import os
import re
import sys
import xml.etree.ElementTree as ET

_STATUS = re.compile(r"^(//\S+)\s+(?:\(cached\)\s+)?(PASSED|FAILED TO BUILD|FAILED|SKIPPED|TIMEOUT|NO STATUS|FLAKY)\b")
_CHECK_STATES = ("passed", "failed")


@dataclasses.dataclass
class Counts:
    """Test-case counts and the targets Bazel skipped."""

    passed: int = 0
    failed: int = 0
    skipped: int = 0
    skipped_targets: list = dataclasses.field(default_factory=list)

    def line(self):
        return f"{self.passed} passed, {self.failed} failed, {self.skipped} skipped"


def xml_counts(path):
    """(passed, failed, skipped) test cases of one JUnit XML file (a <testsuites> or a single <testsuite>)."""
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    total = failed = skipped = 0
    for suite in suites:
        total += int(suite.get("tests", 0))
        failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0)) + int(suite.get("disabled", 0))
    return total - failed - skipped, failed, skipped


def target_statuses(lines):
    """[(label, status)] of the result lines of a `bazel test` log, in order."""
    out = []
    for line in lines:
        m = _STATUS.match(line.strip())
        if m:
            out.append((m.group(1), m.group(2)))
    return out


def count(statuses, testlogs):
    """Counts over the targets' statuses; `testlogs` is `bazel info bazel-testlogs` (may be empty)."""
    c = Counts()
    for label, status in statuses:
        if status == "SKIPPED":
            c.skipped += 1
            c.skipped_targets.append(label)
            continue
        xml = os.path.join(testlogs, label[2:].replace(":", "/"), "test.xml") if testlogs else ""
        if status in ("PASSED", "FLAKY", "FAILED") and xml and os.path.isfile(xml):
            p, f, s = xml_counts(xml)
            if status == "FAILED" and f == 0:
                f = 1  # crashed after writing a clean XML, or the runner itself failed
            c.passed, c.failed, c.skipped = c.passed + p, c.failed + f, c.skipped + s
        elif status in ("PASSED", "FLAKY"):
            c.passed += 1
        else:
            c.failed += 1
    return c


def parse_check(text):
    """`NAME=passed|failed` -> (NAME, state)."""
    name, sep, state = text.rpartition("=")
    if not sep or not name or state not in _CHECK_STATES:
        raise argparse.ArgumentTypeError(
            f"--check | malformed. Note: expected NAME=passed or NAME=failed, got {text!r}"
        )
    return name, state


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bazel-log", required=True, help="the output of `bazel test`")
    ap.add_argument("--testlogs", default="", help="`bazel info bazel-testlogs`")
    ap.add_argument("--check", type=parse_check, action="append", default=[], help="NAME=passed|failed")
    a = ap.parse_args(argv)
    with open(a.bazel_log, errors="replace") as f:
        statuses = target_statuses(f)
    c = count(statuses, a.testlogs)
    if not statuses:
        c.failed += 1  # nothing ran: the build itself failed
        print("bazel: no test target ran (see the bazel log above)")
    if c.skipped_targets:
        print(
            f"bazel: {len(c.skipped_targets)} targets SKIPPED (an optional SDK or a GPU is absent; one skipped case each): "
            + " ".join(c.skipped_targets)
        )
    for name, state in a.check:
        print(f"check: {name}: {state}")
    print(c.line())
    checks_failed = any(state == "failed" for _, state in a.check)
    return 1 if c.failed or checks_failed else 0


if __name__ == "__main__":
    sys.exit(main())
