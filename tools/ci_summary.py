"""Turns a `bazel test` run into one line `N passed, N failed, N skipped` (test cases, not targets).

Test cases come from each test target's JUnit XML (pytest and GoogleTest both write one). A target that
failed to build, timed out or crashed without XML counts as one failed case; a target SKIPPED by Bazel
(incompatible: TensorRT/CUDA/GoogleTest absent) counts as one skipped case.
"""

import argparse
import os
import re
import sys
import xml.etree.ElementTree as ET

_STATUS = re.compile(r"^(//\S+)\s+(?:\(cached\)\s+)?(PASSED|FAILED|SKIPPED|TIMEOUT|NO STATUS|FLAKY|FAILED TO BUILD)\b")


def _xml_counts(path):
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.iter("testsuite")
    total = failed = skipped = 0
    for s in suites:
        total += int(s.get("tests", 0))
        failed += int(s.get("failures", 0)) + int(s.get("errors", 0))
        skipped += int(s.get("skipped", 0)) + int(s.get("disabled", 0))
    return total - failed - skipped, failed, skipped


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--bazel-log", required=True)
    ap.add_argument("--testlogs", default="")
    ap.add_argument("--extra-passed", type=int, default=0)
    ap.add_argument("--extra-failed", type=int, default=0)
    a = ap.parse_args()
    passed, failed, skipped = a.extra_passed, a.extra_failed, 0
    targets = 0
    with open(a.bazel_log, errors="replace") as f:
        for line in f:
            m = _STATUS.match(line.strip())
            if not m:
                continue
            targets += 1
            label, status = m.groups()
            if status == "SKIPPED":
                skipped += 1
                continue
            xml = os.path.join(a.testlogs, label[2:].replace(":", "/"), "test.xml")
            if status in ("PASSED", "FLAKY", "FAILED") and a.testlogs and os.path.isfile(xml):
                p, fl, sk = _xml_counts(xml)
                if status == "FAILED" and fl == 0:
                    fl = 1  # crashed after writing a clean XML, or the runner itself failed
                passed, failed, skipped = passed + p, failed + fl, skipped + sk
            elif status in ("PASSED", "FLAKY"):
                passed += 1
            else:
                failed += 1
    if targets == 0 and failed == 0:
        failed += 1  # nothing ran: the build itself failed
        print("ci: no test target ran (see the bazel log above)")
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
