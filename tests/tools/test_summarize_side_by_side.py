"""tools/bench/summarize_side_by_side.py: pairs our raw kernels_bench runs with Autoware's raw autoware_bench runs of
one A B A B call, computes the ratios, rejects files that are edited or not from one call, and keeps the README's
side-by-side blocks checkable. The fixtures are written here in the binaries' JSON format with made-up numbers; the
expected cells are computed by hand."""

import json
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tools" / "bench" / "summarize_side_by_side.py"
RESULTS = ROOT / "bench" / "results"
PRE = "autoware_480x480_0.32m"
GPU = "NVIDIA H100 80GB HBM3"


def _raw(date, rows, gpu=GPU):
    """The text both binaries' Json() write (tools/bench/kernels_bench.cc, tools/bench/autoware/autoware_common.h)."""
    body = ",\n".join(
        f'    {{"config": "{c}", "stage": "{s}", "points": {p}, "pillars": {n}, "median_us": {t:.2f}, '
        f'"p90_us": {t + 1:.2f}, "bytes": 1000, "fraction_of_copy_bw": 0.001}}'
        for c, s, p, n, t in rows
    )
    return (
        f'{{\n  "gpu": "{gpu}",\n  "sm_count": 132,\n  "cuda_driver_api": 13000,\n  "cuda_runtime": 13000,\n'
        f'  "date_utc": "{date}",\n  "warmup": 20,\n  "reps": 200,\n  "d2d_copy_gbps": 2990.000000,\n'
        f'  "rows": [\n{body}\n  ]\n}}\n'
    )


# Per points: (pillars, whole, voxelize, features, scatter incl. clear); scale multiplies every time (pair 2).
_OURS_PRE = {
    30000: (14108, 50.0, 20.0, 10.0, 20.0),
    120000: (27582, 80.0, 30.0, 20.0, 30.0),
    300000: (38209, 100.0, 40.0, 30.0, 30.0),
}
# Per scenario: (candidates, kept, decode, nms input sorted, whole)
_OURS_POST = {
    "post-S": (105, 40, 20.0, 20.0, 32.0),
    "post-M": (393, 143, 25.0, 30.0, 50.0),
    "post-L": (1565, 572, 50.0, 90.0, 125.0),
}


# The runtime's path (from the 2026-12-06T22:15Z run on): per points (features sparse, scatter sparse, whole sparse),
# per scenario (nms by suppressor lists, whole with lists).
_OURS_SPARSE = {30000: (9.0, 15.0, 40.0), 120000: (18.0, 24.0, 60.0), 300000: (28.0, 29.0, 104.0)}
_OURS_LISTS = {"post-S": (8.0, 26.0), "post-M": (10.0, 25.0), "post-L": (20.0, 40.0)}
# The scatter by the voxeliser's cell map (from 2026-12-07 13:58Z on): per points, the scatter alone.
_OURS_CELLS = {30000: 12.0, 120000: 21.0, 300000: 26.0}
# The voxeliser with its kept state (from 2026-12-07 on): per points (voxelize, whole).
_OURS_STATE = {30000: (16.0, 36.0), 120000: (24.0, 52.0), 300000: (33.0, 96.0)}


def _ours(date, scale=1.0, runtime_path=False):
    """runtime_path: False (dense kernels only), True (plus the sparse and suppressor-list rows), "state" (plus the
    voxeliser-state rows too) or "cells" (plus the cell-map scatter's rows)."""
    rows = []
    if runtime_path == "cells":
        for n, scat in _OURS_CELLS.items():
            p = _OURS_PRE[n][0]
            rows += [
                (PRE, "scatter_sparse_cells", n, p, scat * scale),
                (PRE, "whole_pre_fast_sparse_coords", n, p, 99.0 * scale),
            ]
    if runtime_path == "state":
        for n, (vox, whole) in _OURS_STATE.items():
            p = _OURS_PRE[n][0]
            rows += [
                (PRE, "voxelize_fast_state", n, p, vox * scale),
                (PRE, "whole_pre_state_sparse", n, p, whole * scale),
            ]
    if runtime_path:
        for n, (feat, scat, whole) in _OURS_SPARSE.items():
            p = _OURS_PRE[n][0]
            rows += [
                (PRE, "pillar_features_sparse", n, p, feat * scale),
                (PRE, "scatter_sparse_clear", n, p, scat * scale),
                (PRE, "whole_pre_fast_sparse", n, p, whole * scale),
            ]
        for name, (nms, whole) in _OURS_LISTS.items():
            kept = _OURS_POST[name][1]
            cfg = f"autoware_480x480x5_{name}"
            rows += [
                (cfg, "circle_nms_lists_input_sorted", 0, kept, nms * scale),
                (cfg, "whole_post_lists", 0, kept, whole * scale),
            ]
    for n, (p, whole, vox, feat, scat) in _OURS_PRE.items():
        for stage, t in (
            ("voxelize_fast", vox),
            ("pillar_features", feat),
            ("scatter_incl_canvas_clear", scat),
            ("whole_pre_fast", whole),
        ):
            rows.append((PRE, stage, n, p, t * scale))
    for name, (cand, kept, dec, nms, whole) in _OURS_POST.items():
        cfg = f"autoware_480x480x5_{name}"
        rows += [(cfg, "decode", 0, cand, dec * scale), (cfg, "circle_nms_input_sorted", 0, kept, nms * scale)]
        rows.append((cfg, "whole_post", 0, kept, whole * scale))
    return _raw(date, rows)


def _autoware(date, scale=1.0, gpu=GPU):
    rows = []
    for n, (p, whole, *_) in _OURS_PRE.items():
        rows += [
            (PRE, "aw_whole_pre_as_shipped", n, p, whole * 3.0 * scale),
            (PRE, "aw_whole_pre_lean", n, p, whole * 1.5 * scale),
        ]
        for m in ("encoder_in", "canvas", "num_voxels", "voxels_buffer", "mask", "voxels", "coordinates", "num_points"):
            rows.append((PRE, f"aw_shipped_memset_{m}", n, p, 10.0 * scale))
        rows.append((PRE, "aw_shipped_shuffle", n, p, 20.0 * scale))
        lean = (
            ("memset_num_voxels", 2.0),
            ("memset_canvas", 12.0),
            ("generate_voxels", 30.0),
            ("base_features", 25.0),
            ("features", 18.0),
            ("scatter", 35.0),
        )
        rows += [(PRE, f"aw_lean_{s}", n, p, t * scale) for s, t in lean]
    for name, (cand, kept, _, _, whole) in _OURS_POST.items():
        cfg = f"autoware_480x480x5_{name}"
        rows += [
            (cfg, "aw_whole_post_as_shipped", 0, kept, whole * 10.0 * scale),
            (cfg, "aw_post_kernels_lean", 0, cand, whole * 2.0 * scale),
            (cfg, "aw_post_lean_with_sweep", 0, kept, whole * 2.5 * scale),
            (cfg, "aw_lean_decode", 0, cand, 60.0 * scale),
            (cfg, "aw_lean_select_count", 0, cand, 15.0 * scale),
            (cfg, "aw_lean_sort", 0, cand, 20.0 * scale),
            (cfg, "aw_lean_nms_kernel", 0, kept, 10.0 * scale),
            (cfg, "aw_lean_mask_sweep", 0, kept, 12.5 * scale),
        ]
    return _raw(date, rows, gpu)


def _call(tmp_path, order=("10-00-00", "10-00-30", "10-01-00", "10-01-30"), runtime_path=(False, False)):
    """Four files of one A B A B call: ours 1, Autoware 1, ours 2 (every time x1.25), Autoware 2 (x1.25)."""
    names = [
        f"kernels_h100_{order[0]}.json",
        f"autoware_h100_{order[1]}.json",
        f"kernels_h100_{order[2]}.json",
        f"autoware_h100_{order[3]}.json",
    ]
    dates = [f"2026-12-06T{t.replace('-', ':')}Z" for t in order]
    texts = [
        _ours(dates[0], runtime_path=runtime_path[0]),
        _autoware(dates[1]),
        _ours(dates[2], 1.25, runtime_path=runtime_path[1]),
        _autoware(dates[3], 1.25),
    ]
    paths = [tmp_path / n for n in names]
    for p, t in zip(paths, texts, strict=True):
        p.write_text(t)
    return paths


def _run(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True, check=False)


def _pairs(paths):
    return ["--ours", paths[0], paths[2], "--autoware", paths[1], paths[3]]


def test_ratios_of_each_pair(tmp_path):
    res = _run(*_pairs(_call(tmp_path)))
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    # 120k: ours 80 / 100; as shipped 240 / 300 (3.00x both); lean 120 / 150 (1.50x both).
    assert (
        "| preprocessing, 120,000 points | 27,582; 27,582 | 80.0 / 100.0 | 240.0 / 300.0 | 120.0 / 150.0 | 3.00× / 3.00× | 1.50× / 1.50× |"
        in lines
    )
    # post-M: ours 50 / 62.5; as shipped 500 / 625 (10x); lean kernels 100 / 125 (2x); candidates 393 -> kept 143.
    assert (
        "| decode + circle NMS, post-M | 393 → 143; 393 → 143 | 50.0 / 62.5 | 500.0 / 625.0 | 100.0 / 125.0 | 10.00× / 10.00× | 2.00× / 2.00× |"
        in lines
    )
    # Stage table, 120k: memsets 8 x 10 + shuffle 20 = 100 (125); voxelize 2 + 30 + 25 = 57 (71.25 -> 71.2);
    # scatter + clear 12 + 35 = 47 (58.75 -> 58.8).
    assert (
        "| 120,000 | 100.0 / 125.0 | 30.0 / 37.5 | 57.0 / 71.2 | 20.0 / 25.0 | 18.0 / 22.5 | 30.0 / 37.5 | 47.0 / 58.8 |"
        in lines
    )
    # post-L: select 15 + sort 20 + NMS kernel 10 = 45 (56.25 -> 56.2); lean + sweep 125 x 2.5 = 312.5 (390.6).
    assert "| post-L | 50.0 / 62.5 | 60.0 / 75.0 | 90.0 / 112.5 | 45.0 / 56.2 | 12.5 / 15.6 | 312.5 / 390.6 |" in lines
    assert any(
        line.startswith("- pair 2: ours `kernels_h100_10-01-00.json`, Autoware `autoware_h100_10-01-30.json`")
        for line in lines
    )


def test_autoware_may_run_first_in_each_pair(tmp_path):
    # Autoware 1 (10:00:00), ours 1 (10:00:30), Autoware 2 (10:01:00), ours 2 (10:01:30): the same pairs and ratios.
    res = _run(*_pairs(_call(tmp_path, order=("10-00-30", "10-00-00", "10-01-30", "10-01-00"))))
    assert res.returncode == 0, res.stderr
    assert (
        "| preprocessing, 120,000 points | 27,582; 27,582 | 80.0 / 100.0 | 240.0 / 300.0 | 120.0 / 150.0 | 3.00× / 3.00× | 1.50× / 1.50× |"
        in res.stdout.splitlines()
    )


# "state": binaries from 2026-12-07 on also time the voxeliser with a kept state; the runtime does not use it, so the
# tables are the same. "cells": from 2026-12-07 13:58Z on the runtime's scatter is the cell-map scatter, so the stage
# table's scatter column is its row (21 / 26.25 -> 26.2), not the sparse clear's (24 / 30); the whole preprocessing is
# still whole_pre_fast_sparse, not the scatter by coordinates (99).
@pytest.mark.parametrize(
    ("path", "scatter"), [(True, "24.0 / 30.0"), ("state", "24.0 / 30.0"), ("cells", "21.0 / 26.2")]
)
def test_runs_with_the_runtime_path_are_summarized_by_it(tmp_path, path, scatter):
    res = _run(*_pairs(_call(tmp_path, runtime_path=(path, path))))
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert any(line.startswith("Ours is the C++ runtime's path: sparse decoration and scatter") for line in lines)
    # 120k: ours (whole sparse) 60 / 75; as shipped 240 / 300 (4.00x); lean 120 / 150 (2.00x).
    assert (
        "| preprocessing, 120,000 points | 27,582; 27,582 | 60.0 / 75.0 | 240.0 / 300.0 | 120.0 / 150.0 | 4.00× / 4.00× | 2.00× / 2.00× |"
        in lines
    )
    # post-L: ours (whole with lists) 40 / 50; as shipped 1250 / 1562.5 (31.25x); lean kernels 250 / 312.5 (6.25x).
    assert (
        "| decode + circle NMS, post-L | 1,565 → 572; 1,565 → 572 | 40.0 / 50.0 | 1250.0 / 1562.5 | 250.0 / 312.5 | 31.25× / 31.25× | 6.25× / 6.25× |"
        in lines
    )
    # Stage tables: features and scatter are the sparse ones (18, and 24 or the cell map's 21), NMS the suppressor
    # lists (10).
    assert (
        f"| 120,000 | 100.0 / 125.0 | 30.0 / 37.5 | 57.0 / 71.2 | 18.0 / 22.5 | 18.0 / 22.5 | {scatter} | 47.0 / 58.8 |"
        in lines
    )
    assert "| post-M | 25.0 / 31.2 | 60.0 / 75.0 | 10.0 / 12.5 | 45.0 / 56.2 | 12.5 / 15.6 | 125.0 / 156.2 |" in lines


# (True, False): one run with the runtime path's rows, one without; ("cells", True): one with the cell-map scatter's.
@pytest.mark.parametrize("paths_of", [(True, False), ("cells", True)])
def test_runs_of_two_binaries_are_rejected(tmp_path, paths_of):
    paths = _call(tmp_path, runtime_path=paths_of)
    res = _run(*_pairs(paths))
    assert res.returncode == 2
    assert res.stdout == ""
    assert res.stderr.strip().startswith(f"{paths[2].name} | its stages differ from {paths[0].name}'s.")
    assert len(res.stderr.strip().splitlines()) == 1


def test_ratio_uses_its_own_pair(tmp_path):
    paths = _call(tmp_path)
    # Autoware's second run made twice as slow as the first in the whole preprocessing at 30k: 150 x 1.25 -> 300.
    text = (
        paths[3]
        .read_text()
        .replace(
            '"points": 30000, "pillars": 14108, "median_us": 187.50',
            '"points": 30000, "pillars": 14108, "median_us": 300.00',
        )
    )
    assert text != paths[3].read_text()
    paths[3].write_text(text)
    res = _run(*_pairs(paths))
    assert res.returncode == 0, res.stderr
    # ours 50 / 62.5; as shipped 150 / 300 -> 3.00x / 4.80x.
    assert (
        "| preprocessing, 30,000 points | 14,108; 14,108 | 50.0 / 62.5 | 150.0 / 300.0 | 75.0 / 93.8 | 3.00× / 4.80× | 1.50× / 1.50× |"
        in res.stdout.splitlines()
    )


def test_inputs_not_from_one_call_or_edited_are_rejected(tmp_path):
    paths = _call(tmp_path)
    res = _run("--ours", paths[0], "--autoware", paths[1], paths[3])
    assert res.returncode == 2 and "as many of each" in res.stderr
    other = tmp_path / "autoware_h200.json"
    other.write_text(_autoware("2026-12-06T10:01:30Z", gpu="NVIDIA H200"))
    res = _run("--ours", paths[0], paths[2], "--autoware", paths[1], other)
    assert res.returncode == 2 and "not from the same machine" in res.stderr
    res = _run("--ours", paths[2], paths[0], "--autoware", paths[1], paths[3])  # ours 2 given first
    assert res.returncode == 2 and "A B A B" in res.stderr
    # Autoware 1, ours 1, ours 2, Autoware 2: not alternating.
    (tmp_path / "mixed").mkdir()
    mixed = _call(tmp_path / "mixed", order=("10-00-30", "10-00-00", "10-01-00", "10-01-30"))
    res = _run(*_pairs(mixed))
    assert res.returncode == 2 and "A B A B" in res.stderr
    edited = tmp_path / "autoware_edited.json"
    edited.write_text(json.dumps(json.loads(paths[1].read_text()), indent=1))
    res = _run("--ours", paths[0], "--autoware", edited)
    assert res.returncode == 2 and "autoware_bench" in res.stderr
    res = _run("--ours", paths[0], "--autoware", paths[0])  # ours where Autoware's belongs: no aw_* rows
    assert res.returncode == 2 and "no row for" in res.stderr


def test_readme_blocks_are_checked_against_the_files_they_name(tmp_path):
    paths = _call(tmp_path)
    block = _run(*_pairs(paths)).stdout
    readme = tmp_path / "README.md"
    readme.write_text("# results\n\n" + block + "\ntext\n")
    assert _run("--check-readme", readme).returncode == 0
    readme.write_text("# results\n\n" + block.replace("240.0 / 300.0", "240.0 / 299.0") + "\ntext\n")
    res = _run("--check-readme", readme)
    assert res.returncode == 1 and "is stale" in res.stdout
    end = "<!-- summarize_side_by_side.py: end -->"
    readme.write_text("# results\n\n" + block.replace(end, "") + "\ntext\n")
    res = _run("--check-readme", readme)
    assert res.returncode == 2 and "a generated block has no end" in res.stderr and end in res.stderr
    readme.write_text("# results\n\n" + block + "\ntext\n")
    paths[1].unlink()
    assert _run("--check-readme", readme).returncode == 2


def test_committed_side_by_side_blocks_are_current():
    res = _run("--check-readme", RESULTS / "README.md")
    assert res.returncode == 0, res.stdout + res.stderr
