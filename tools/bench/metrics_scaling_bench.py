"""Time and peak memory of 3D metrics on one frame with many objects (reliability finding 6).

Each case runs in a fresh child process (so ``ru_maxrss`` is that case's peak RSS): seeded synthetic frames from
``awml_deploy.metrics.synthetic`` with N ground truth and about as many predictions in ONE frame, evaluated in the
four modes of the finding (center_distance_bev, iou_bev, iou_3d, plane_distance), plus N boxes all at one spot
(every pair overlaps: the worst case for candidate pairs). Prints one line per case; --output writes JSON.

    taskset -c 0 python3 tools/bench/metrics_scaling_bench.py --objects 1000 5000 20000 --overlapping 5000
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from awml_deploy import metrics
from awml_deploy.metrics import synthetic
n, overlapping = int(sys.argv[2]), sys.argv[3] == "1"
if overlapping:
    box = {"label": "car", "center": [10.0, 5.0, 0.0], "size": [4.5, 1.9, 1.6], "yaw": 0.3}
    gt = [dict(box) for _ in range(n)]
    pred = [dict(box, score=round(1.0 - i / (2 * n), 6)) for i in range(n)]
    frames = [{"frame_index": 0, "timestamp_us": 0, "gt": gt, "pred": pred}]
else:
    frames = synthetic.frames_3d(1, objects=n, seed=0, labels=("car",), extent=99.0)
settings = {"labels": ["car"], "thresholds": {
    "center_distance_bev": {"car": [0.5, 1.0, 2.0, 4.0]}, "plane_distance": {"car": [0.5, 1.0, 2.0, 4.0]},
    "iou_bev": {"car": [0.1, 0.3, 0.5, 0.7]}, "iou_3d": {"car": [0.1, 0.3, 0.5, 0.7]}}}
start, cpu = time.perf_counter(), time.process_time()
result = metrics.evaluate_detection3d(frames, settings).to_json_dict()
elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
car = result["modes"]["iou_bev"]["per_label"]["car"]
row = {"num_gt": car["num_gt"], "num_pred": car["num_pred"], "num_tp_iou_bev_0.5": car["num_tp"]["0.5"]}
row.update(seconds=elapsed, cpu_seconds=cpu, peak_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
print(json.dumps(row))
"""


def run_case(objects: int, overlapping: bool, limit_gib: float) -> dict:
    """Runs one case in a child process under an address-space cap; returns its JSON line plus the case."""
    cap = int(limit_gib * (1 << 30))

    def set_cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(ROOT / "python"), str(objects), "1" if overlapping else "0"],
        capture_output=True,
        text=True,
        preexec_fn=set_cap,
        check=False,
    )
    case = {"objects": objects, "overlapping": overlapping}
    if out.returncode != 0:
        return {**case, "error": (out.stderr.strip().splitlines() or ["?"])[-1]}
    return {**case, **json.loads(out.stdout.strip().splitlines()[-1])}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, nargs="*", default=[1000, 5000, 20000])
    parser.add_argument("--overlapping", type=int, nargs="*", default=[5000], help="objects all at one spot")
    parser.add_argument("--limit-gib", type=float, default=8.0, help="address-space cap per case (default 8)")
    parser.add_argument("--output", default=None)
    args = parser.parse_args(argv)
    rows = [run_case(n, False, args.limit_gib) for n in args.objects]
    rows += [run_case(n, True, args.limit_gib) for n in args.overlapping]
    for row in rows:
        where = "at one spot" if row["overlapping"] else "spread over +-99 m"
        if "error" in row:
            print(f"{row['objects']:>6} objects {where}: FAILED {row['error']}")
            continue
        print(
            f"{row['objects']:>6} objects {where}: {row['seconds']:.2f} s ({row['cpu_seconds']:.2f} s CPU), peak RSS {row['peak_rss_mib']:.0f} MiB"
            f" (gt {row['num_gt']}, pred {row['num_pred']}, TP iou_bev@0.5 {row['num_tp_iou_bev_0.5']})"
        )
    if args.output:
        meta = {"python": platform.python_version(), "machine": platform.machine(), "cases": rows}
        Path(args.output).write_text(json.dumps(meta, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
