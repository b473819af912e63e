"""Our CenterPoint kernels against Autoware's, from raw JSON of one device call (tools/gpu/side_by_side.sh).

Takes the raw `kernels_bench` files (ours) and the raw `autoware_bench` files (Autoware's kernels, built by
tools/bench/autoware/build.sh) of one A B A B call, pairs them in run order (ours 1 with Autoware 1, ...), and prints
the markdown block of bench/results/README.md: per case our median, Autoware as shipped, Autoware lean, and the
ratios (as shipped / ours, lean / ours) within each pair, then where the difference comes from, stage by stage.
Every file must be byte for byte what its binary writes (both binaries write the same JSON format), all from the
same GPU, driver and CUDA, in A B A B order by their dates (either side may have run first).

    python3 tools/bench/summarize_side_by_side.py --ours kernels_a.json kernels_b.json \\
        --autoware autoware_a.json autoware_b.json
    python3 tools/bench/summarize_side_by_side.py --check-readme bench/results/README.md

Each generated block names its files (in the pair lines); --check-readme regenerates every block from the files
it names (next to the README) and fails on any difference.
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import summarize_kernels  # noqa: E402

BEGIN = "<!-- summarize_side_by_side.py: begin (generated, do not edit) -->"
END = "<!-- summarize_side_by_side.py: end -->"
PRE_CONFIG = "autoware_480x480_0.32m"
POINTS = (30000, 120000, 300000)
POST = ("post-S", "post-M", "post-L")
PAIR_LINE = re.compile(r"^- pair \d+: ours `([^`]+)`, Autoware `([^`]+)`", re.M)


class SideBySideError(ValueError):
    """Inputs that cannot give a fair side-by-side table."""


def load_raw(path: Path, binary: str) -> dict:
    """One raw benchmark file; raises SideBySideError unless it is byte for byte what `binary` writes."""
    try:
        run = summarize_kernels.load_raw(path, binary)
    except summarize_kernels.NotRawOutputError as err:
        raise SideBySideError(str(err)) from err
    run["_file"] = path.name
    return run


def _median(run: dict, config: str, stage: str, points: int = 0) -> float:
    for r in run["rows"]:
        if r["config"] == config and r["stage"] == stage and r["points"] == points:
            return r["median_us"]
    raise SideBySideError(f"{run['_file']} | no row for {config} / {points} points / {stage}")


def _count(run: dict, config: str, stage: str, points: int = 0) -> int:
    for r in run["rows"]:
        if r["config"] == config and r["stage"] == stage and r["points"] == points:
            return r["pillars"]
    raise SideBySideError(f"{run['_file']} | no row for {config} / {points} points / {stage}")


def _check_same_call(ours: list, theirs: list) -> None:
    if not ours or len(ours) != len(theirs):
        raise SideBySideError(
            f"inputs | {len(ours)} file(s) of ours and {len(theirs)} of Autoware's. "
            "Note: expected as many of each, at least one (A B A B: ours, Autoware, ours, Autoware)"
        )
    machine = ("gpu", "sm_count", "cuda_driver_api", "cuda_runtime")
    # Alternating, from whichever side ran first: ours 1, Autoware 1, ours 2, ... or Autoware 1, ours 1, Autoware 2, ...
    autoware_first = theirs[0]["date_utc"] < ours[0]["date_utc"]
    order = [run for pair in zip(ours, theirs, strict=True) for run in (pair[::-1] if autoware_first else pair)]
    first = order[0]
    for run in order[1:]:
        if any(run[k] != first[k] for k in machine):
            got = ", ".join(str(run[k]) for k in machine)
            want = ", ".join(str(first[k]) for k in machine)
            raise SideBySideError(
                f"{run['_file']} | not from the same machine as {first['_file']}. Note: expected {want}, got {got}"
            )
    for a, b in itertools.pairwise(order):
        if b["date_utc"] < a["date_utc"]:
            raise SideBySideError(
                f"{b['_file']} | dated {b['date_utc']}, before {a['_file']} ({a['date_utc']}). "
                "Note: expected the A B A B order of one call: ours 1, Autoware 1, ours 2, Autoware 2, ... (or "
                "Autoware 1, ours 1, Autoware 2, ...)"
            )


def _cell(values: list) -> str:
    return " / ".join(f"{v:.1f}" for v in values)


def _ratio(values: list) -> str:
    return " / ".join(f"{v:.2f}×" for v in values)


def _counts(values: list) -> str:
    return " / ".join(f"{v:,}" for v in dict.fromkeys(values))  # one number when the runs agree


def _sum(run: dict, config: str, stages: list, points: int = 0) -> float:
    return sum(_median(run, config, s, points) for s in stages)


_AW_MEMSETS = [
    "aw_shipped_memset_encoder_in",
    "aw_shipped_memset_canvas",
    "aw_shipped_memset_num_voxels",
    "aw_shipped_memset_voxels_buffer",
    "aw_shipped_memset_mask",
    "aw_shipped_memset_voxels",
    "aw_shipped_memset_coordinates",
    "aw_shipped_memset_num_points",
]


# Our stages in the tables: the C++ runtime's path. From the run of 2026-12-06T22:15Z on, the runtime writes the encoder
# input and the canvas sparsely and resolves circle NMS by suppressor lists (cpp/trt_runtime/README.md); runs before
# that have no such rows and are summarized, as they were, with the dense kernels and the mask sweep. The rows of the
# voxeliser with a kept state (`voxelize_fast_state`, `whole_pre_state_sparse`, in the files of 2026-12-07 00:48Z to
# 08:27Z) are not the runtime's path: it measured slower from 120k points and was removed (bench/results/README.md).
_DENSE_PATH = {
    "pre": "whole_pre_fast",
    "post": "whole_post",
    "features": "pillar_features",
    "scatter": "scatter_incl_canvas_clear",
    "nms": "circle_nms_input_sorted",
}
_RUNTIME_PATH = {
    "pre": "whole_pre_fast_sparse",
    "post": "whole_post_lists",
    "features": "pillar_features_sparse",
    "scatter": "scatter_sparse_clear",
    "nms": "circle_nms_lists_input_sorted",
}


def _our_path(ours: list) -> dict:
    """The stages every run of ours has for the runtime's path; raises SideBySideError when the runs disagree."""
    has = [set(_RUNTIME_PATH.values()) <= {r["stage"] for r in o["rows"]} for o in ours]
    if any(has) and not all(has):
        odd = ours[has.index(not has[0])]["_file"]
        raise SideBySideError(
            f"{odd} | its stages differ from {ours[0]['_file']}'s. Note: expected every run of ours from one "
            "kernels_bench binary (all with or all without the sparse and suppressor-list rows)"
        )
    if not has[0]:
        return _DENSE_PATH
    # From the cell-map scatter on, the runtime's scatter is scatter_sparse_cells (whole_pre_fast_sparse runs it).
    cells = ["scatter_sparse_cells" in {r["stage"] for r in o["rows"]} for o in ours]
    if any(cells) and not all(cells):
        odd = ours[cells.index(not cells[0])]["_file"]
        raise SideBySideError(
            f"{odd} | its stages differ from {ours[0]['_file']}'s. Note: expected every run of ours from one "
            "kernels_bench binary (all with or all without the cell-map scatter row)"
        )
    return {**_RUNTIME_PATH, "scatter": "scatter_sparse_cells"} if cells[0] else _RUNTIME_PATH


def summarize(ours: list, theirs: list) -> str:
    """The README block for runs paired in order: pair lines, the main table and the stage tables."""
    _check_same_call(ours, theirs)
    path = _our_path(ours)
    pairs = list(zip(ours, theirs, strict=True))
    out = [BEGIN, ""]
    for i, (o, t) in enumerate(pairs, 1):
        out.append(
            f"- pair {i}: ours `{o['_file']}`, Autoware `{t['_file']}`: {o['gpu']} ({o['sm_count']} SMs), CUDA "
            f"runtime {o['cuda_runtime']}, driver API {o['cuda_driver_api']}, {o['date_utc']} / {t['date_utc']}, "
            f"{o['warmup']} / {t['warmup']} warm-ups, median of {o['reps']} / {t['reps']} timed runs, "
            f"device-to-device copy {o['d2d_copy_gbps']:.0f} / {t['d2d_copy_gbps']:.0f} GB/s"
        )
    label = " / ".join(f"pair {i}" for i in range(1, len(pairs) + 1))
    out += ["", f"Median µs ({label}); each ratio is Autoware / ours within one pair.", ""]
    if path is not _DENSE_PATH:
        out += [
            "Ours is the C++ runtime's path: sparse decoration and scatter (`whole_pre_fast_sparse`, two frames "
            "alternating) and circle NMS by suppressor lists (`whole_post_lists`).",
            "",
        ]
    out.append(
        "| case | pillars, or candidates → kept (ours; Autoware) | ours | Autoware as shipped | Autoware lean "
        "| as shipped / ours | lean / ours |"
    )
    out.append("|---|---|---|---|---|---|---|")

    def line(case, counts, mine, shipped, lean):
        out.append(
            f"| {case} | {counts} | {_cell(mine)} | {_cell(shipped)} | {_cell(lean)} | "
            f"{_ratio([s / m for s, m in zip(shipped, mine, strict=True)])} | "
            f"{_ratio([v / m for v, m in zip(lean, mine, strict=True)])} |"
        )

    for n in POINTS:
        counts = (
            f"{_counts([_count(o, PRE_CONFIG, path['pre'], n) for o in ours])}; "
            f"{_counts([_count(t, PRE_CONFIG, 'aw_whole_pre_as_shipped', n) for t in theirs])}"
        )
        line(
            f"preprocessing, {n:,} points",
            counts,
            [_median(o, PRE_CONFIG, path["pre"], n) for o in ours],
            [_median(t, PRE_CONFIG, "aw_whole_pre_as_shipped", n) for t in theirs],
            [_median(t, PRE_CONFIG, "aw_whole_pre_lean", n) for t in theirs],
        )
    for name in POST:
        cfg = f"autoware_480x480x5_{name}"
        counts = (
            f"{_counts([_count(o, cfg, 'decode') for o in ours])} → {_counts([_count(o, cfg, path['post']) for o in ours])}; "
            f"{_counts([_count(t, cfg, 'aw_post_kernels_lean') for t in theirs])} → "
            f"{_counts([_count(t, cfg, 'aw_whole_post_as_shipped') for t in theirs])}"
        )
        line(
            f"decode + circle NMS, {name}",
            counts,
            [_median(o, cfg, path["post"]) for o in ours],
            [_median(t, cfg, "aw_whole_post_as_shipped") for t in theirs],
            [_median(t, cfg, "aw_post_kernels_lean") for t in theirs],
        )

    out += ["", f"Preprocessing stage by stage, median µs ({label}); Autoware's from its per-step loops:", ""]
    out.append(
        "| points | Autoware's memsets + shuffle (as shipped) | voxelize: ours | voxelize: Autoware "
        "(counter reset + generateVoxels + generateBaseFeatures) | features: ours | features: Autoware "
        "| scatter + canvas clear: ours | scatter + canvas clear: Autoware |"
    )
    out.append("|---|---|---|---|---|---|---|---|")
    for n in POINTS:
        cells = [
            [_sum(t, PRE_CONFIG, [*_AW_MEMSETS, "aw_shipped_shuffle"], n) for t in theirs],
            [_median(o, PRE_CONFIG, "voxelize_fast", n) for o in ours],
            [
                _sum(
                    t, PRE_CONFIG, ["aw_lean_memset_num_voxels", "aw_lean_generate_voxels", "aw_lean_base_features"], n
                )
                for t in theirs
            ],
            [_median(o, PRE_CONFIG, path["features"], n) for o in ours],
            [_median(t, PRE_CONFIG, "aw_lean_features", n) for t in theirs],
            [_median(o, PRE_CONFIG, path["scatter"], n) for o in ours],
            [_sum(t, PRE_CONFIG, ["aw_lean_memset_canvas", "aw_lean_scatter"], n) for t in theirs],
        ]
        out.append(f"| {n:,} | " + " | ".join(_cell(c) for c in cells) + " |")

    out += ["", f"Postprocessing stage by stage, median µs ({label}); Autoware's from its per-step loop:", ""]
    out.append(
        "| scenario | decode: ours | decode: Autoware | NMS (input sorted): ours | Autoware select + count "
        "readback + sort + NMS kernel | Autoware mask readback + host sweep | Autoware lean + sweep (whole) |"
    )
    out.append("|---|---|---|---|---|---|---|")
    for name in POST:
        cfg = f"autoware_480x480x5_{name}"
        cells = [
            [_median(o, cfg, "decode") for o in ours],
            [_median(t, cfg, "aw_lean_decode") for t in theirs],
            [_median(o, cfg, path["nms"]) for o in ours],
            [_sum(t, cfg, ["aw_lean_select_count", "aw_lean_sort", "aw_lean_nms_kernel"]) for t in theirs],
            [_median(t, cfg, "aw_lean_mask_sweep") for t in theirs],
            [_median(t, cfg, "aw_post_lean_with_sweep") for t in theirs],
        ]
        out.append(f"| {name} | " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(out + ["", END]) + "\n"


def summarize_files(ours: list, theirs: list) -> str:
    """summarize() over raw files, each named by its file name."""
    return summarize([load_raw(p, "kernels_bench") for p in ours], [load_raw(p, "autoware_bench") for p in theirs])


def readme_blocks(readme: str) -> list:
    """Every side-by-side block of a README (summarize_kernels.readme_blocks with this script's markers)."""
    try:
        return summarize_kernels.readme_blocks(readme, BEGIN, END, required=False)
    except summarize_kernels.NotRawOutputError as err:
        raise SideBySideError(str(err)) from err


def check_readme(readme: Path) -> list:
    """Names of the README's stale side-by-side blocks, each regenerated from the files its pair lines name."""
    stale = []
    for block in readme_blocks(readme.read_text()):
        pairs = PAIR_LINE.findall(block)
        ours = [readme.parent / o for o, _ in pairs]
        theirs = [readme.parent / t for _, t in pairs]
        if not pairs or summarize_files(ours, theirs) != block:
            stale.append(", ".join(itertools.chain(*pairs)) or "(a block naming no file)")
    return stale


def main(argv: list | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ours", nargs="+", type=Path, default=[], help="raw kernels_bench JSON files, in run order")
    ap.add_argument("--autoware", nargs="+", type=Path, default=[], help="raw autoware_bench JSON files, in run order")
    ap.add_argument(
        "--check-readme", type=Path, help="exit 1 unless every side-by-side block of this README is current"
    )
    a = ap.parse_args(argv)
    try:
        if a.check_readme is not None:
            stale = check_readme(a.check_readme)
            for names in stale:
                print(
                    f"{a.check_readme} | block of {names} is stale. Note: rerun tools/bench/summarize_side_by_side.py"
                )
            if not stale:
                print(f"{a.check_readme}: every side-by-side block is up to date")
            return 1 if stale else 0
        if not a.ours or not a.autoware:
            ap.error("files | --ours and --autoware are both needed. Note: expected the raw JSON of one A B A B call")
        sys.stdout.write(summarize_files(a.ours, a.autoware))
        return 0
    except (SideBySideError, OSError) as err:
        print(err, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
