"""tools/bench/summarize_kernels.py: accepts only raw kernels_bench output, builds the README tables from it, and
the committed bench/results/README.md tables are the ones it builds from the committed files."""

import json
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tools" / "bench" / "summarize_kernels.py"
RESULTS = ROOT / "bench" / "results"
RUN_NAMES = re.compile(r"^- run \d+ \(`([^`]+)`\)", re.M)

# What kernels_bench's Json() writes (tools/bench/kernels_bench.cc), for one small made-up run.
_PRE = [
    ("voxelize_fast", "1.00"),
    ("voxelize_deterministic", "9.00"),
    ("pillar_features", "2.00"),
    ("scatter_incl_canvas_clear", "3.00"),
    ("whole_pre_fast", "6.50"),
    ("whole_pre_deterministic", "14.25"),
    ("whole_pre_fast_graph", "5.00"),
]
_POST = [
    ("decode", 105, "21.02"),
    ("circle_nms_input_sorted", 40, "20.51"),
    ("circle_nms_with_sort", 40, "24.10"),
    ("whole_post", 40, "36.13"),
]
RAW = (
    '{\n  "gpu": "NVIDIA H100 80GB HBM3",\n  "sm_count": 132,\n  "cuda_driver_api": 13000,\n'
    '  "cuda_runtime": 13000,\n  "date_utc": "2026-11-26T09:38:20Z",\n  "warmup": 20,\n  "reps": 200,\n'
    '  "d2d_copy_gbps": 2977.455375,\n  "rows": [\n'
    + "".join(
        f'    {{"config": "grid_a", "stage": "{stage}", "points": 120000, "pillars": 27582, "median_us": {t}, '
        f'"p90_us": 99.00, "bytes": 4197016, "fraction_of_copy_bw": 0.038}},\n'
        for stage, t in _PRE
    )
    + ",\n".join(
        f'    {{"config": "post_m", "stage": "{stage}", "points": 0, "pillars": {n}, "median_us": {t}, '
        f'"p90_us": 99.00, "bytes": 9240, "fraction_of_copy_bw": 0.000}}'
        for stage, n, t in _POST
    )
    + "\n  ]\n}\n"
)


def _run(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True, check=False)


def test_tables_from_two_raw_runs(tmp_path):
    (tmp_path / "a.json").write_text(RAW)
    (tmp_path / "b.json").write_text(RAW.replace('"median_us": 1.00', '"median_us": 1.25'))
    res = _run(tmp_path / "a.json", tmp_path / "b.json")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert (
        "| grid_a | 120,000 | 27,582 | 1.0 / 1.2 | 2.0 / 2.0 | 3.0 / 3.0 | 6.5 / 6.5 | 5.0 / 5.0 | 14.2 / 14.2 |"
        in lines
    )
    assert "| post_m | 105 | 40 | 21.0 / 21.0 | 20.5 / 20.5 | 24.1 / 24.1 | 36.1 / 36.1 |" in lines
    assert any(
        line.startswith("- run 2 (`b.json`): NVIDIA H100 80GB HBM3 (132 SMs)") and "2977 GB/s" in line for line in lines
    )


def test_edited_or_reserialised_files_are_rejected(tmp_path):
    edited = {
        "reindented.json": json.dumps(json.loads(RAW), indent=1),
        "extra_field.json": RAW.replace('"pillars": 40,', '"pillars": 40, "boxes": 40,'),
        "four_decimals.json": RAW.replace('"fraction_of_copy_bw": 0.038', '"fraction_of_copy_bw": 0.0384'),
        "wrapped.json": '{"note": "two runs", "runs": [' + RAW + "]}\n",
    }
    for name, text in edited.items():
        (tmp_path / name).write_text(text)
        res = _run(tmp_path / name)
        assert res.returncode == 2, name
        assert "kernels_bench" in res.stderr, name


def test_every_readme_block_is_checked_against_the_files_it_names(tmp_path):
    (tmp_path / "a.json").write_text(RAW)
    (tmp_path / "b.json").write_text(RAW.replace('"median_us": 36.13', '"median_us": 40.00'))
    block_a, block_b = _run(tmp_path / "a.json").stdout, _run(tmp_path / "b.json").stdout
    readme = tmp_path / "README.md"
    readme.write_text("# results\n\n" + block_a + "\ntext\n\n" + block_b + "\nmore text\n")
    assert _run("--check-readme", readme).returncode == 0
    readme.write_text("# results\n\n" + block_a + "\ntext\n\n" + block_b.replace("40.0", "36.1") + "\n")
    res = _run("--check-readme", readme)
    assert res.returncode == 1
    assert "block of b.json is stale" in res.stdout
    assert "a.json" not in res.stdout
    (tmp_path / "a.json").write_text(RAW.replace('"pillars": 40,', '"pillars": 40, "boxes": 40,'))
    assert _run("--check-readme", readme).returncode == 2


def test_committed_results_are_raw_and_the_readme_is_generated_from_them():
    files = sorted(RESULTS.glob("kernels_*.json"))
    assert files, "bench/results has no kernels_*.json"
    for path in files:
        res = _run(path)
        assert res.returncode == 0, res.stderr
    res = _run("--check-readme", RESULTS / "README.md")
    assert res.returncode == 0, res.stdout + res.stderr
    named = set(RUN_NAMES.findall((RESULTS / "README.md").read_text()))
    assert named == {p.name for p in files}, "every raw file is summarised in the README, and only those"


def test_graph_columns_of_the_runtime_path(tmp_path):
    # The runtime's path timed as CUDA graphs (binaries from 2026-12-06 23:30Z on): a column each, after the graph
    # column of the dense path / the mask sweep.
    extra = (
        '    {"config": "grid_a", "stage": "whole_pre_fast_sparse", "points": 120000, "pillars": 27582, '
        '"median_us": 7.50, "p90_us": 99.00, "bytes": 4197016, "fraction_of_copy_bw": 0.038},\n'
        '    {"config": "grid_a", "stage": "whole_pre_fast_sparse_graph", "points": 120000, "pillars": 27582, '
        '"median_us": 7.25, "p90_us": 99.00, "bytes": 4197016, "fraction_of_copy_bw": 0.038},\n'
    )
    post = (
        ',\n    {"config": "post_m", "stage": "whole_post_lists_graph", "points": 0, "pillars": 40, '
        '"median_us": 23.00, "p90_us": 99.00, "bytes": 9240, "fraction_of_copy_bw": 0.000}\n  ]'
    )
    newer = RAW.replace('  "rows": [\n', '  "rows": [\n' + extra).replace("\n  ]", post)
    (tmp_path / "new.json").write_text(newer)
    res = _run(tmp_path / "new.json")
    assert res.returncode == 0, res.stderr
    assert (
        "| whole (stream) | whole, sparse features and scatter | whole (CUDA graph) | whole, sparse (CUDA graph) |"
        in res.stdout
    )
    assert "| 6.5 | 7.5 | 5.0 | 7.2 |" in res.stdout
    assert "| decode + NMS | decode + NMS, suppressor lists (CUDA graph) |" in res.stdout
    assert res.stdout.rstrip().splitlines()[-3].endswith("| 36.1 | 23.0 |")


def test_voxeliser_state_columns(tmp_path):
    # The voxeliser with its kept state (binaries from 2026-12-07 on): a voxelize column after the voxeliser's, and
    # whole-preprocessing columns after the sparse graph column.
    extra = (
        '    {"config": "grid_a", "stage": "voxelize_fast_state", "points": 120000, "pillars": 27582, '
        '"median_us": 1.25, "p90_us": 99.00, "bytes": 4197016, "fraction_of_copy_bw": 0.038},\n'
        '    {"config": "grid_a", "stage": "whole_pre_state_sparse", "points": 120000, "pillars": 27582, '
        '"median_us": 6.75, "p90_us": 99.00, "bytes": 4197016, "fraction_of_copy_bw": 0.038},\n'
        '    {"config": "grid_a", "stage": "whole_pre_state_sparse_graph", "points": 120000, "pillars": 27582, '
        '"median_us": 6.25, "p90_us": 99.00, "bytes": 4197016, "fraction_of_copy_bw": 0.038},\n'
    )
    (tmp_path / "new.json").write_text(RAW.replace('  "rows": [\n', '  "rows": [\n' + extra))
    res = _run(tmp_path / "new.json")
    assert res.returncode == 0, res.stderr
    assert "| voxelize | voxelize, kept state | features |" in res.stdout
    assert (
        "| whole, voxeliser state + sparse | whole, voxeliser state + sparse (CUDA graph) | whole, deterministic"
        in res.stdout
    )
    assert "| 1.2 |" in res.stdout and "| 6.8 | 6.2 |" in res.stdout
    (tmp_path / "old.json").write_text(RAW)
    both = _run(tmp_path / "new.json", tmp_path / "old.json")
    assert both.returncode == 0, both.stderr
    assert "kept state" not in both.stdout


def test_optional_columns_appear_only_where_every_run_has_them(tmp_path):
    # The sparse decoration and scatter rows (binaries from 2026-12-06 21:30Z on) are columns of their own; older
    # runs, or a mix of older and newer runs, keep the older table.
    extra = (
        '    {"config": "grid_a", "stage": "scatter_sparse_clear", "points": 120000, "pillars": 27582, '
        '"median_us": 1.75, "p90_us": 99.00, "bytes": 4197016, "fraction_of_copy_bw": 0.038},\n'
        '    {"config": "grid_a", "stage": "whole_pre_fast_sparse", "points": 120000, "pillars": 27582, '
        '"median_us": 7.50, "p90_us": 99.00, "bytes": 4197016, "fraction_of_copy_bw": 0.038},\n'
        '    {"config": "grid_a", "stage": "pillar_features_sparse", "points": 120000, "pillars": 27582, '
        '"median_us": 0.50, "p90_us": 99.00, "bytes": 4197016, "fraction_of_copy_bw": 0.038},\n'
    )
    post = (
        ',\n    {"config": "post_m", "stage": "circle_nms_lists_input_sorted", "points": 0, "pillars": 40, '
        '"median_us": 9.00, "p90_us": 99.00, "bytes": 9240, "fraction_of_copy_bw": 0.000},\n'
        '    {"config": "post_m", "stage": "whole_post_lists", "points": 0, "pillars": 40, '
        '"median_us": 25.00, "p90_us": 99.00, "bytes": 9240, "fraction_of_copy_bw": 0.000}\n  ]'
    )
    newer = RAW.replace('  "rows": [\n', '  "rows": [\n' + extra).replace("\n  ]", post)
    (tmp_path / "old.json").write_text(RAW)
    (tmp_path / "new.json").write_text(newer)
    both_new = _run(tmp_path / "new.json", tmp_path / "new.json")
    assert both_new.returncode == 0, both_new.stderr
    assert (
        "| features | features, sparse | scatter+clear | scatter, sparse clear | whole (stream) | "
        "whole, sparse features and scatter |" in both_new.stdout
    )
    assert "| 2.0 / 2.0 | 0.5 / 0.5 | 3.0 / 3.0 | 1.8 / 1.8 | 6.5 / 6.5 | 7.5 / 7.5 |" in both_new.stdout
    assert (
        "| post_m | 105 | 40 | 21.0 / 21.0 | 20.5 / 20.5 | 24.1 / 24.1 | 9.0 / 9.0 | 36.1 / 36.1 | 25.0 / 25.0 |"
        in (both_new.stdout)
    )
    mixed = _run(tmp_path / "old.json", tmp_path / "new.json")
    assert mixed.returncode == 0, mixed.stderr
    assert "sparse" not in mixed.stdout
