"""tools/ci_summary.py on a `bazel test` log and test.xml files written here, in the shapes Bazel, GoogleTest
and pytest write them."""

import pathlib
import re
import subprocess
import sys

SCRIPT = pathlib.Path(__file__).resolve().parents[2] / "tools" / "ci_summary.py"

# GoogleTest's XML: 4 cases, one GTEST_SKIP (Bazel still says PASSED for this target).
GTEST_XML = """<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="4" failures="0" disabled="0" errors="0" time="0.2" name="AllTests">
  <testsuite name="CudaRaii" tests="4" failures="0" disabled="0" skipped="1" errors="0" time="0.2">
    <testcase name="A" status="run" result="completed" classname="CudaRaii" />
    <testcase name="B" status="run" result="completed" classname="CudaRaii" />
    <testcase name="C" status="run" result="completed" classname="CudaRaii" />
    <testcase name="D" status="run" result="skipped" classname="CudaRaii"><skipped message="no device" /></testcase>
  </testsuite>
</testsuites>
"""

# pytest's XML: 6 cases, 1 failure, 1 error, 2 skips.
PYTEST_XML = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="1" failures="1" skipped="2" tests="6" time="1.0"></testsuite></testsuites>
"""

# A target that crashed after writing a clean XML: Bazel says FAILED, the XML says 2 passed.
CLEAN_XML = """<testsuite name="pytest" errors="0" failures="0" skipped="0" tests="2"></testsuite>"""

BAZEL_LOG = """INFO: Found 8 test targets...
//tests/cpp/trt_runtime:cuda_raii_test                          (cached) PASSED in 0.1s
//tests/metrics:metrics_api_test                                         FAILED in 3.0s
//tests/framework:crash_test                                             FAILED in 1.0s
//tests/cpp/kernels:pillars_cuda_test_gpu                                SKIPPED
//tests/cpp/trt_runtime:engine_trt_test                                  SKIPPED
//tests/cpp/kernels:decode_test                                          FAILED TO BUILD
//tests/cpp/kernels:scatter_test                                         NO STATUS
//tests/yolox:yolox_test                                                 TIMEOUT in 300.0s
//tests/centerpoint:deploy_test                                          PASSED in 9.0s
Executed 6 out of 9 tests: 2 tests pass, 4 fail locally and 2 were skipped.
"""

LINE = re.compile(r"^\d+ passed, \d+ failed, \d+ skipped$")


def _write(root, label, text):
    path = root / label[2:].replace(":", "/") / "test.xml"
    path.parent.mkdir(parents=True)
    path.write_text(text)


def _run(tmp_path, log, *extra):
    (tmp_path / "bazel_test.log").write_text(log)
    cmd = [sys.executable, str(SCRIPT), "--bazel-log", str(tmp_path / "bazel_test.log")]
    cmd += ["--testlogs", str(tmp_path / "testlogs"), *extra]
    return subprocess.run(cmd, capture_output=True, text=True, check=False)


def _testlogs(tmp_path):
    logs = tmp_path / "testlogs"
    _write(logs, "//tests/cpp/trt_runtime:cuda_raii_test", GTEST_XML)
    _write(logs, "//tests/metrics:metrics_api_test", PYTEST_XML)
    _write(logs, "//tests/framework:crash_test", CLEAN_XML)
    # deploy_test passed but wrote no XML: one passed case.


def test_counts_test_cases_from_xml_and_skipped_targets(tmp_path):
    _testlogs(tmp_path)
    res = _run(tmp_path, BAZEL_LOG)
    lines = res.stdout.splitlines()
    # passed: 3 (gtest) + 2 (pytest) + 2 (clean XML of a FAILED target) + 1 (deploy_test, no XML) = 8
    # failed: 2 (pytest) + 1 (FAILED with a clean XML) + FAILED TO BUILD + NO STATUS + TIMEOUT = 6
    # skipped: 1 (GTEST_SKIP) + 2 (pytest) + 2 SKIPPED targets = 5
    assert lines[-1] == "8 passed, 6 failed, 5 skipped"
    assert res.returncode == 1
    skipped_line = next(line for line in lines if line.startswith("bazel: 2 targets SKIPPED"))
    assert "//tests/cpp/kernels:pillars_cuda_test_gpu" in skipped_line
    assert "//tests/cpp/trt_runtime:engine_trt_test" in skipped_line


def test_checks_get_their_own_lines_and_are_not_counted(tmp_path):
    log = "//tests/cpp/trt_runtime:cuda_raii_test    PASSED in 0.1s\n"
    (tmp_path / "testlogs").mkdir()
    _write(tmp_path / "testlogs", "//tests/cpp/trt_runtime:cuda_raii_test", GTEST_XML)
    ok = _run(tmp_path, log, "--check", "lint=passed", "--check", "deploy yolox=passed")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.splitlines()[-3:] == [
        "check: lint: passed",
        "check: deploy yolox: passed",
        "3 passed, 0 failed, 1 skipped",
    ]

    bad = _run(tmp_path, log, "--check", "lint=failed", "--check", "deploy yolox=passed")
    assert bad.returncode == 1
    assert "check: lint: failed" in bad.stdout.splitlines()
    assert bad.stdout.splitlines()[-1] == "3 passed, 0 failed, 1 skipped"


def test_a_log_without_results_is_one_failure(tmp_path):
    res = _run(tmp_path, "ERROR: Build did NOT complete successfully\n")
    assert res.returncode == 1
    assert res.stdout.splitlines()[-2:] == [
        "bazel: no test target ran (see the bazel log above)",
        "0 passed, 1 failed, 0 skipped",
    ]


def test_every_run_ends_with_the_line_ci_parses(tmp_path):
    _testlogs(tmp_path)
    for log in (BAZEL_LOG, "", "//tests/x:y_test   SKIPPED\n"):
        res = _run(tmp_path, log, "--check", "lint=passed")
        assert LINE.match(res.stdout.splitlines()[-1]), res.stdout


def test_a_malformed_check_is_a_usage_error(tmp_path):
    res = _run(tmp_path, BAZEL_LOG, "--check", "lint=green")
    assert res.returncode == 2
    assert "expected NAME=passed or NAME=failed, got 'lint=green'" in res.stderr
