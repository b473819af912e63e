"""The kernel benchmark tables of bench/results/README.md, from raw `kernels_bench` JSON files.

Every input must be byte for byte what `//tools/bench:kernels_bench <out.json>` writes (its `Json()`): the file
is parsed, written again in the binary's format and compared, so a file that was edited, merged or re-indented
is rejected. Two or more files (back-to-back runs) give "run 1 / run 2 / ..." in every cell.

    python3 tools/bench/summarize_kernels.py bench/results/kernels_h100_2026-11-26T09-38-*.json
    python3 tools/bench/summarize_kernels.py --check-readme bench/results/README.md

Each generated block names its files (in the run lines); --check-readme regenerates every block from the files
it names (next to the README) and fails on any difference.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
from pathlib import Path

BEGIN = "<!-- summarize_kernels.py: begin (generated, do not edit) -->"
END = "<!-- summarize_kernels.py: end -->"

_PRE_STAGES = (
    ("voxelize", "voxelize_fast"),
    ("voxelize, kept state", "voxelize_fast_state"),
    ("features", "pillar_features"),
    ("features, sparse", "pillar_features_sparse"),
    ("scatter+clear", "scatter_incl_canvas_clear"),
    ("scatter, sparse clear", "scatter_sparse_clear"),
    ("scatter, sparse, cell map", "scatter_sparse_cells"),
    ("memset, then scatter", "scatter_memset_then_scatter"),
    ("whole (stream)", "whole_pre_fast"),
    ("whole, sparse features and scatter", "whole_pre_fast_sparse"),
    ("whole, sparse, scatter by coordinates", "whole_pre_fast_sparse_coords"),
    ("whole (CUDA graph)", "whole_pre_fast_graph"),
    ("whole, sparse (CUDA graph)", "whole_pre_fast_sparse_graph"),
    ("whole, voxeliser state + sparse", "whole_pre_state_sparse"),
    ("whole, voxeliser state + sparse (CUDA graph)", "whole_pre_state_sparse_graph"),
    ("whole, deterministic voxelize", "whole_pre_deterministic"),
)
_POST_STAGES = (
    ("decode", "decode"),
    ("circle NMS (input sorted)", "circle_nms_input_sorted"),
    ("circle NMS (own sort)", "circle_nms_with_sort"),
    ("circle NMS, suppressor lists (input sorted)", "circle_nms_lists_input_sorted"),
    ("decode + NMS", "whole_post"),
    ("decode + NMS, suppressor lists", "whole_post_lists"),
    ("decode + NMS (CUDA graph)", "whole_post_graph"),
    ("decode + NMS, suppressor lists (CUDA graph)", "whole_post_lists_graph"),
)
# Stages some versions of the binary have and others not: a column only where every run has it (each file keeps its
# table).
_OPTIONAL = {
    "scatter_sparse_clear",
    # From the cell-map scatter on (2026-12-07 afternoon): whole_pre_fast_sparse scatters by the voxeliser's cell map,
    # and whole_pre_fast_sparse_coords is the earlier path (the scatter claims the cells from the coordinates).
    "scatter_sparse_cells",
    "whole_pre_fast_sparse_coords",
    "pillar_features_sparse",
    "whole_pre_fast_sparse",
    "circle_nms_lists_input_sorted",
    "whole_post_lists",
    "scatter_memset_then_scatter",
    "whole_post_graph",
    "whole_pre_fast_sparse_graph",
    "whole_post_lists_graph",
    # The state voxeliser's rows: only in the files of 2026-12-07 00:48Z to 08:27Z (the voxeliser was then removed).
    "voxelize_fast_state",
    "whole_pre_state_sparse",
    "whole_pre_state_sparse_graph",
}


def _stages(runs: list, stages: tuple) -> tuple:
    """The columns these runs have: every required stage, and the optional ones present in all of them."""
    present = [{r["stage"] for r in run["rows"]} for run in runs]
    return tuple((n, s) for n, s in stages if s not in _OPTIONAL or all(s in p for p in present))


class NotRawOutputError(ValueError):
    """A file is not what kernels_bench writes."""


def binary_json(run: dict) -> str:
    """The text `Json()` in tools/bench/kernels_bench.cc writes for `run` (same fields, order and formats)."""
    head = (
        f'{{\n  "gpu": "{run["gpu"]}",\n  "sm_count": {run["sm_count"]:d},\n'
        f'  "cuda_driver_api": {run["cuda_driver_api"]:d},\n  "cuda_runtime": {run["cuda_runtime"]:d},\n'
        f'  "date_utc": "{run["date_utc"]}",\n  "warmup": {run["warmup"]:d},\n  "reps": {run["reps"]:d},\n'
        f'  "d2d_copy_gbps": {run["d2d_copy_gbps"]:f},\n  "rows": [\n'
    )
    rows = run["rows"]
    lines = []
    for i, r in enumerate(rows):
        sep = "," if i + 1 < len(rows) else ""
        lines.append(
            f'    {{"config": "{r["config"]}", "stage": "{r["stage"]}", "points": {r["points"]:d}, '
            f'"pillars": {r["pillars"]:d}, "median_us": {r["median_us"]:.2f}, "p90_us": {r["p90_us"]:.2f}, '
            f'"bytes": {r["bytes"]:.0f}, "fraction_of_copy_bw": {r["fraction_of_copy_bw"]:.3f}}}{sep}\n'
        )
    return head + "".join(lines) + "  ]\n}\n"


def load_raw(path: Path, binary: str = "kernels_bench") -> dict:
    """Parses one raw benchmark JSON file (`binary`: kernels_bench or autoware_bench, which write the same format);
    raises NotRawOutputError unless it is byte for byte the binary's output."""
    text = path.read_text()
    try:
        run = json.loads(text)
        again = binary_json(run)
    except (ValueError, KeyError, TypeError) as err:
        raise NotRawOutputError(f"{path} | not {binary} output ({type(err).__name__}: {err})") from err
    if again != text:
        pairs = itertools.zip_longest(again.splitlines(), text.splitlines())
        line = next(i for i, (a, b) in enumerate(pairs) if a != b)
        raise NotRawOutputError(
            f"{path} | differs from what {binary} writes for the same values (first at line {line + 1}). "
            f"Note: expected the raw output of {binary}, got an edited or re-serialised file"
        )
    return run


def _median(run: dict, config: str, points: int, stage: str) -> float:
    for r in run["rows"]:
        if r["config"] == config and r["points"] == points and r["stage"] == stage:
            return r["median_us"]
    raise NotRawOutputError(f"{run['date_utc']} | no row for {config} / {points} points / {stage}")


def _cell(values: list) -> str:
    return " / ".join(f"{v:.1f}" for v in values)


def _count(values: list) -> str:
    return " / ".join(f"{v:,}" for v in dict.fromkeys(values))  # one number when the runs agree


def _keys(run: dict, post: bool) -> list:
    """(config, points) of the preprocessing rows, or of the postprocessing rows (configs with a decode stage)."""
    post_configs = {r["config"] for r in run["rows"] if r["stage"] == "decode"}
    keys = []
    for r in run["rows"]:
        key = (r["config"], r["points"])
        if (r["config"] in post_configs) == post and key not in keys:
            keys.append(key)
    return keys


def summarize(runs: list, names: list) -> str:
    """The README block: one line per run (naming its file), the preprocessing and postprocessing tables."""
    out = [BEGIN, ""]
    for i, (run, name) in enumerate(zip(runs, names, strict=True), 1):
        out.append(
            f"- run {i} (`{name}`): {run['gpu']} ({run['sm_count']} SMs), CUDA runtime {run['cuda_runtime']}, driver API "
            f"{run['cuda_driver_api']}, {run['date_utc']}, {run['warmup']} warm-ups, median of {run['reps']} timed "
            f"runs, device-to-device copy {run['d2d_copy_gbps']:.0f} GB/s"
        )
    runs_label = " / ".join(f"run {i}" for i in range(1, len(runs) + 1))
    pre_stages, post_stages = _stages(runs, _PRE_STAGES), _stages(runs, _POST_STAGES)
    out += ["", f"Preprocessing, median µs ({runs_label}):", ""]
    out.append("| config | points | pillars | " + " | ".join(n for n, _ in pre_stages) + " |")
    out.append("|---|---|---|" + "---|" * len(pre_stages))
    for config, points in _keys(runs[0], post=False):
        pillars = [
            next(r["pillars"] for r in run["rows"] if r["config"] == config and r["points"] == points) for run in runs
        ]
        cells = [_cell([_median(run, config, points, stage) for run in runs]) for _, stage in pre_stages]
        out.append(f"| {config} | {points:,} | {_count(pillars)} | " + " | ".join(cells) + " |")
    out += ["", f"Postprocessing, median µs ({runs_label}):", ""]
    out.append("| scenario | candidates | kept | " + " | ".join(n for n, _ in post_stages) + " |")
    out.append("|---|---|---|" + "---|" * len(post_stages))
    for config, points in _keys(runs[0], post=True):
        rows = [{r["stage"]: r for r in run["rows"] if r["config"] == config} for run in runs]
        candidates = _count([r["decode"]["pillars"] for r in rows])
        kept = _count([r["whole_post"]["pillars"] for r in rows])
        cells = [_cell([_median(run, config, points, stage) for run in runs]) for _, stage in post_stages]
        out.append(f"| {config} | {candidates} | {kept} | " + " | ".join(cells) + " |")
    return "\n".join(out + ["", END]) + "\n"


def summarize_files(paths: list) -> str:
    """summarize() over raw files, each named by its file name."""
    return summarize([load_raw(p) for p in paths], [p.name for p in paths])


def readme_blocks(readme: str, begin: str = BEGIN, end: str = END, required: bool = True) -> list:
    """Every block of a README from a `begin` line to an `end` line (both included, plus the newline); none is an
    error when `required`."""
    blocks, start = [], readme.find(begin)
    while start >= 0:
        stop = readme.find(end, start)
        if stop < 0:
            raise NotRawOutputError(f"README | a generated block has no end. Note: expected a line {end!r}")
        blocks.append(readme[start : stop + len(end)] + "\n")
        start = readme.find(begin, stop)
    if required and not blocks:
        raise NotRawOutputError(f"README | no generated block. Note: expected lines {begin!r} ... {end!r}")
    return blocks


def check_readme(readme: Path) -> list:
    """Names of the README's stale blocks: each block is regenerated from the files its run lines name, which
    sit next to the README."""
    stale = []
    for block in readme_blocks(readme.read_text()):
        names = re.findall(r"^- run \d+ \(`([^`]+)`\)", block, flags=re.M)
        if not names or summarize_files([readme.parent / n for n in names]) != block:
            stale.append(", ".join(names) or "(a block naming no file)")
    return stale


def main(argv: list | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", type=Path, help="raw kernels_bench JSON files, in run order")
    ap.add_argument(
        "--check-readme", type=Path, help="exit 1 unless every generated block of this README is up to date"
    )
    a = ap.parse_args(argv)
    try:
        if a.check_readme is not None:
            stale = check_readme(a.check_readme)
            for names in stale:
                print(f"{a.check_readme} | block of {names} is stale. Note: rerun tools/bench/summarize_kernels.py")
            if not stale:
                print(f"{a.check_readme}: every generated block is up to date")
            return 1 if stale else 0
        if not a.files:
            ap.error("files | none given. Note: expected one or more raw kernels_bench JSON files")
        sys.stdout.write(summarize_files(a.files))
        return 0
    except (NotRawOutputError, OSError) as err:
        print(err, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
