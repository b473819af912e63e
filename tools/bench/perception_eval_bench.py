"""Our metrics engine against perception_eval itself, on the same seeded frames, alternating (A B A B).

Issue 18 ("metrics against perception_eval itself"). perception_eval (tier4/autoware_perception_evaluation) is
pure Python; it lives OUTSIDE this repository in its own virtual environment, never in the project's Python:

    git clone https://github.com/tier4/autoware_perception_evaluation /tmp/pe-src      # or any checkout
    python3 -m venv /tmp/pe-venv
    /tmp/pe-venv/bin/pip install "numpy<2" shapely pyquaternion tqdm hatchling
    /tmp/pe-venv/bin/pip install --no-deps --no-build-isolation /tmp/pe-src
    taskset -c 0 python3 tools/bench/perception_eval_bench.py --frames 20 --pe-python /tmp/pe-venv/bin/python

(--no-deps skips the reporting extras, e.g. ydata-profiling and nuscenes-devkit, that matching and AP do not
import.) The seeded frames (awml_deploy.metrics.synthetic) are written once to a JSON file; every run is a
fresh child process: ours under this interpreter (dict input, the CLI's path), the reference under
--pe-python through the adapter in awml_deploy.metrics.crosscheck (the library's NuscenesObjectMatcher and Ap).
Printed per run: the evaluation's CPU and wall seconds and the whole process's wall seconds; then the ratios
of the medians and the largest difference over counts, AP, APH and their means (APH compared with the variant
the installed library computes: see crosscheck.like_with_like). Distinct scores are used (ties rank in
reverse order in the library; see awml_deploy.metrics docs). --output writes everything as JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python"))

from awml_deploy.metrics import synthetic  # noqa: E402
from awml_deploy.metrics.crosscheck import compare, like_with_like  # noqa: E402

THRESHOLDS = {
    "center_distance_3d": [0.5, 1.0, 2.0, 4.0],
    "center_distance_bev": [0.5, 1.0, 2.0, 4.0],
    "plane_distance": [0.5, 1.0, 2.0, 4.0],
    "iou_bev": [0.1, 0.3, 0.5, 0.7],
    "iou_3d": [0.1, 0.3, 0.5, 0.7],
}

_CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
data = json.load(open(sys.argv[2]))
start, cpu = time.perf_counter(), time.process_time()
if sys.argv[3] == "ours":
    from awml_deploy import metrics
    result = metrics.evaluate_detection3d(data["frames"], data["settings"]).to_json_dict()
else:
    from awml_deploy.metrics.crosscheck import reference_detection3d
    result = reference_detection3d(data["frames"], data["settings"])
timing = {"eval_wall_s": time.perf_counter() - start, "eval_cpu_s": time.process_time() - cpu}
json.dump({"timing": timing, "result": result}, open(sys.argv[4], "w"))
"""


def run_child(python: str, side: str, data_path: Path, out_path: Path) -> dict:
    """One evaluation in a fresh process; returns its timings (plus process wall time) and result."""
    start = time.perf_counter()
    done = subprocess.run(
        [python, "-c", _CHILD, str(ROOT / "python"), str(data_path), side, str(out_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"error: {side} run failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}")
    out = json.loads(out_path.read_text())
    out["timing"]["process_wall_s"] = wall
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=10, help="frames (default 10; the reference ~4 s CPU each)")
    parser.add_argument("--objects", type=int, default=40, help="mean ground truth per frame (default 40)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=2, help="A B rounds (default 2)")
    parser.add_argument("--pe-python", default="/tmp/pe-venv/bin/python", help="python of the perception_eval venv")
    parser.add_argument("--output", default=None, help="write the figures as JSON here")
    args = parser.parse_args(argv)

    labels = ["car", "truck", "bus", "bicycle", "pedestrian"]
    frames = synthetic.frames_3d(args.frames, objects=args.objects, seed=args.seed, labels=labels, score_decimals=12)
    settings = {"labels": labels, "thresholds": {m: {lb: t for lb in labels} for m, t in THRESHOLDS.items()}}
    runs: dict[str, list[dict]] = {"ours": [], "perception_eval": []}
    with tempfile.TemporaryDirectory() as tmp:
        data_path = Path(tmp) / "frames.json"
        data_path.write_text(json.dumps({"frames": frames, "settings": settings}))
        for r in range(args.rounds):
            for side, python in (("ours", sys.executable), ("perception_eval", args.pe_python)):
                out = run_child(python, "ours" if side == "ours" else "reference", data_path, Path(tmp) / "out.json")
                runs[side].append(out)
                t = out["timing"]
                print(
                    f"round {r + 1} {side:>15}: eval {t['eval_cpu_s']:9.3f} s CPU {t['eval_wall_s']:9.3f} s wall, "
                    f"process {t['process_wall_s']:9.3f} s wall",
                    flush=True,
                )
    theirs = runs["perception_eval"][-1]["result"]
    mine = like_with_like(runs["ours"][-1]["result"], frames, settings, theirs["aph_variant"])
    diff, where = compare(mine["modes"], theirs["modes"], "modes")

    def median(side: str, key: str) -> float:
        return statistics.median(run["timing"][key] for run in runs[side])

    summary = {
        key: {"ours": median("ours", key), "perception_eval": median("perception_eval", key)}
        for key in ("eval_cpu_s", "eval_wall_s", "process_wall_s")
    }
    for pair in summary.values():
        pair["ratio"] = pair["perception_eval"] / pair["ours"]
    n_gt = sum(len(f["gt"]) for f in frames)
    n_pred = sum(len(f["pred"]) for f in frames)
    print(f"frames {args.frames}, {n_gt} gt, {n_pred} pred, {len(THRESHOLDS)} modes x 4 thresholds x 5 labels")
    for key, pair in summary.items():
        print(
            f"median {key:>14}: ours {pair['ours']:9.3f}  perception_eval {pair['perception_eval']:9.3f}  "
            f"ratio {pair['ratio']:8.1f}x"
        )
    print(f"largest difference: {diff!r} at {where} (APH variant: {theirs['aph_variant']})")
    if args.output:
        report = {
            "frames": args.frames,
            "objects": args.objects,
            "seed": args.seed,
            "num_gt": n_gt,
            "num_pred": n_pred,
            "summary": summary,
            "max_abs_diff": diff,
            "worst_path": where,
            "aph_variant": theirs["aph_variant"],
            "runs": {s: [r["timing"] for r in v] for s, v in runs.items()},
        }
        Path(args.output).write_text(json.dumps(report, indent=1) + "\n")
    return 0 if diff <= 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main())
