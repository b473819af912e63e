"""tools/bench/runtime_frame_bench (the C++ CenterPointRuntime's frame budget) in its CPU mode: the JSON is well-formed
and complete, the boxes are non-empty and identical between two identical runs, and bad input is one line, exit 2,
before any work (no output file)."""

import json
import os
import pathlib
import re
import subprocess

import pytest

# Under Bazel the binary is in the test's runfiles; by hand: `bazel build //tools/bench:runtime_frame_bench` first.
_TREE = (
    pathlib.Path(os.environ["TEST_SRCDIR"]) / os.environ.get("TEST_WORKSPACE", "_main")
    if "TEST_SRCDIR" in os.environ
    else pathlib.Path(__file__).resolve().parents[2] / "bazel-bin"
)
BENCH = _TREE / "tests" / "cpp" / "trt_runtime" / "runtime_frame_bench"
SMALL = ["--device", "cpu", "--warmup", "1", "--reps", "3", "--points", "20000", "--voxelize", "deterministic,fast"]
ROW_KEYS = {
    "grid",
    "voxelize",
    "points",
    "cloud",
    "frame",
    "call",
    "pillars_mean",
    "boxes",
    "boxes_fnv1a64",
    "boxes_consistent",
    "host_wall_median_us",
    "host_wall_p90_us",
    "gpu_events_median_us",
    "gpu_events_p90_us",
    "stage_host_wall",
    "stage_gpu_events",
    "engine_copies_timed",
    "engine_run_host_us",
    "host_syncs_per_frame",
    "blocking_segments",
}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BENCH), *args], capture_output=True, text=True, timeout=240, check=False)


def cpu_run(path: pathlib.Path) -> dict:
    done = run(*SMALL, str(path))
    assert done.returncode == 0, done.stderr
    table = [line for line in done.stdout.splitlines() if line.startswith(("autoware_", "awml_"))]
    assert len(table) == 8, done.stdout
    return json.loads(path.read_text())


def test_cpu_mode_is_well_formed_non_empty_and_repeatable(tmp_path):
    first, second = cpu_run(tmp_path / "a.json"), cpu_run(tmp_path / "b.json")
    assert first["benchmark"] == "tools/bench/runtime_frame_bench.cc"
    assert first["device"] == "cpu" and first["gpu"] is None and first["check"] is None
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", first["date_utc"])
    assert (first["warmup"], first["reps"], first["sets"]) == (1, 3, 4)
    rows = first["rows"]
    cases = [(r["grid"], r["voxelize"], r["frame"]) for r in rows]
    grids, modes = ("autoware_480x480_0.32m", "awml_1020x1020_0.24m"), ("deterministic", "fast")
    assert cases == [(g, v, f) for g in grids for v in modes for f in ("full", "pre_post")]
    calls = {"full": "Detect", "pre_post": "CopyPoints+Preprocess+Postprocess+Download"}
    for row in rows:
        assert set(row) == ROW_KEYS
        assert (row["points"], row["cloud"], row["call"]) == (20000, "host", calls[row["frame"]])
        # 45 heatmap blobs of 3 x 3 cells above the 0.35 threshold (background logits N(-6, 1) stay below): at most
        # 405 candidates; empty or untouched head buffers (all logits 0 -> every cell a candidate) fall outside.
        assert 30 <= row["boxes"] <= 45 * 9 and row["pillars_mean"] > 1000
        assert row["boxes_consistent"] is True  # every timed frame kept the same boxes
        assert row["engine_copies_timed"] == 0  # the replaced engines copied nothing in timed frames
        assert 0 <= row["engine_run_host_us"]["median_us"] <= row["engine_run_host_us"]["p90_us"]
        assert 0 < row["host_wall_median_us"] <= row["host_wall_p90_us"]
        assert row["host_syncs_per_frame"] is None and row["gpu_events_median_us"] is None
        assert re.fullmatch(r"[0-9a-f]{16}", row["boxes_fnv1a64"])
    # Two identical runs keep identical boxes and pillars; the two grids' heads (480 and 510 cells) differ; pre_post
    # decodes the heads the full frame left in the buffers, so both frames keep the same boxes.
    same = ("grid", "voxelize", "frame", "boxes", "boxes_fnv1a64", "pillars_mean")
    assert [{k: r[k] for k in same} for r in rows] == [{k: r[k] for k in same} for r in second["rows"]]
    digests = {g: {r["boxes_fnv1a64"] for r in rows if r["grid"] == g} for g in grids}
    assert all(len(d) == 1 for d in digests.values()) and digests[grids[0]] != digests[grids[1]]


BAD = [
    (["--device", "tpu"], "unknown --device value"),
    (["--device", "cpu", "--reps", "0"], "--reps out of range"),
    (["--device", "cpu", "--points", "20000,0"], "--points out of range"),
    (["--device", "cpu", "--clouds", "device"], "unknown --clouds value"),
    (["--device", "cpu", "--grids", "kitti"], "unknown --grids value"),
    (["--device", "cpu", "--frames", "3"], "unknown --frames value"),
    (["--device", "cpu", "--sets", "3"], "unknown option"),
]
if not pathlib.Path("/dev/nvidia0").exists():  # no GPU here: the CUDA mode refuses before any work
    BAD.append(([], "--device cuda needs a (CUDA device|build with CUDA)"))  # a CUDA build, a CPU-only build


@pytest.mark.parametrize(("args", "problem"), BAD)
def test_bad_input_is_one_line_exit_2_and_no_file(tmp_path, args, problem):
    out = tmp_path / "out.json"
    done = run(*args, str(out))
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1
    assert re.match(rf"runtime_frame_bench \| {problem}\. Note: expected .+, got .+\n$", done.stderr), done.stderr
    assert not out.exists() and not list(tmp_path.iterdir())


def test_missing_output_folder_or_path_is_refused(tmp_path):
    done = run("--device", "cpu", str(tmp_path / "nowhere" / "out.json"))
    assert done.returncode == 2 and "the output's folder does not exist" in done.stderr
    done = run("--device", "cpu")
    assert done.returncode == 2 and "no output path" in done.stderr
