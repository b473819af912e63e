"""Benchmark of awml_deploy.metrics against a per-object Python implementation of the same rules.

Generates seeded synthetic 3D frames, evaluates all five 3D matching modes with 4 thresholds per label, and
times (1) the vectorised engine end to end (frame dicts -> result, best of --repeat runs) and (2) the per-object
implementation (awml_deploy.metrics.naive) in the same process. It checks that both agree to 1e-9 and prints
frames per second for each and their ratio; --output writes the same numbers as JSON.

    taskset -c 0 python3 tools/bench/metrics_bench.py --frames 1000 --objects 40 --output /tmp/metrics_bench.json
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python"))

from awml_deploy import metrics  # noqa: E402
from awml_deploy.metrics import naive, synthetic  # noqa: E402


def max_diff(a, b) -> float:
    if isinstance(a, dict):
        return max([max_diff(a[k], b[k]) for k in a] + [0.0])
    if isinstance(a, list):
        return max([max_diff(x, y) for x, y in zip(a, b, strict=True)] + [0.0])
    if a is None or b is None:
        return 0.0 if a is None and b is None else float("inf")
    return abs(a - b)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=1000, help="number of frames (default 1000)")
    parser.add_argument("--objects", type=int, default=40, help="mean ground-truth objects per frame (default 40)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="engine runs; the best is reported (default 3)")
    parser.add_argument(
        "--naive-frames",
        type=int,
        default=None,
        help="frames given to the per-object implementation (default: all); its rate is per frame",
    )
    parser.add_argument("--output", default=None, help="write the figures as JSON here")
    args = parser.parse_args(argv)

    frames = synthetic.frames_3d(args.frames, objects=args.objects, seed=args.seed)
    settings = synthetic.bench_settings(synthetic.DEFAULT_LABELS)
    num_gt = sum(len(f["gt"]) for f in frames)
    num_pred = sum(len(f["pred"]) for f in frames)

    arrays = [metrics.ArrayFrame3D.from_frame(f) for f in frames]  # what a detector hands over; not timed
    engine_times, array_times, engine_cpu, array_cpu = [], [], [], []
    for _ in range(max(args.repeat, 1)):  # dict and array input alternate, so machine load hits both alike
        for data, wall, cpu in ((frames, engine_times, engine_cpu), (arrays, array_times, array_cpu)):
            start, start_cpu = time.perf_counter(), time.process_time()
            result = metrics.evaluate_detection3d(data, settings)
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
            if data is frames:
                ours = result
            else:
                from_arrays = result
    engine_s, array_s = min(engine_times), min(array_times)

    naive_frames = frames if args.naive_frames is None else frames[: args.naive_frames]
    start = time.perf_counter()
    theirs = naive.detection3d(naive_frames, settings)
    naive_s = time.perf_counter() - start
    reference = ours if len(naive_frames) == len(frames) else metrics.evaluate_detection3d(naive_frames, settings)
    diff = max(max_diff(reference.to_json_dict(), theirs), max_diff(ours.to_json_dict(), from_arrays.to_json_dict()))

    engine_fps = args.frames / engine_s
    naive_fps = len(naive_frames) / naive_s
    report = {
        "frames": args.frames,
        "objects_per_frame": {"gt": num_gt / args.frames, "pred": num_pred / args.frames},
        "modes": list(synthetic.BENCH_THRESHOLDS),
        "thresholds_per_label": 4,
        "labels": list(synthetic.DEFAULT_LABELS),
        "engine_seconds": engine_s,
        "engine_seconds_all_runs": engine_times,
        "engine_frames_per_second": engine_fps,
        "engine_array_input_seconds": array_s,
        "engine_array_input_frames_per_second": args.frames / array_s,
        "engine_cpu_seconds": min(engine_cpu),
        "engine_array_input_cpu_seconds": min(array_cpu),
        "dict_over_array_cpu": min(engine_cpu) / min(array_cpu),
        "speedup_array_input": (args.frames / array_s) / naive_fps,
        "naive_frames": len(naive_frames),
        "naive_seconds": naive_s,
        "naive_frames_per_second": naive_fps,
        "speedup": engine_fps / naive_fps,
        "max_abs_diff_vs_naive": diff,
        "map": {m: r.map for m, r in ours.modes.items()},
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    print(
        f"frames: {args.frames}  gt/frame: {num_gt / args.frames:.1f}  pred/frame: {num_pred / args.frames:.1f}  "
        f"modes: {len(synthetic.BENCH_THRESHOLDS)} x 4 thresholds x {len(settings['labels'])} labels"
    )
    print(f"engine (dicts in) : {engine_s:8.3f} s  {engine_fps:10.1f} frames/s  (best of {len(engine_times)})")
    print(f"engine (arrays in): {array_s:8.3f} s  {args.frames / array_s:10.1f} frames/s  (ArrayFrame3D input)")
    print(
        f"CPU time         : {min(engine_cpu):.3f} s dicts, {min(array_cpu):.3f} s arrays "
        f"(dict path {report['dict_over_array_cpu']:.2f}x the array path)"
    )
    print(f"per-object       : {naive_s:8.3f} s  {naive_fps:10.1f} frames/s  ({len(naive_frames)} frames)")
    print(
        f"speedup          : {report['speedup']:.1f}x (dict input), {report['speedup_array_input']:.1f}x (array input)   "
        f"max |diff| vs per-object: {diff:.3g}"
    )
    if args.output:
        Path(args.output).write_text(json.dumps(report, indent=1) + "\n")
    return 0 if diff <= 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main())
