"""Our metrics engine against perception_eval itself, on the same seeded frames, alternating (A B A).

Issue 18 ("metrics against perception_eval itself"). perception_eval (tier4/autoware_perception_evaluation) is
pure Python; it lives OUTSIDE this repository in its own virtual environment, never in the project's Python:

    git clone https://github.com/tier4/autoware_perception_evaluation /tmp/pe-src      # or any checkout
    python3 -m venv /tmp/pe-venv
    /tmp/pe-venv/bin/pip install "numpy<2" shapely pyquaternion tqdm hatchling
    /tmp/pe-venv/bin/pip install --no-deps --no-build-isolation /tmp/pe-src
    taskset -c 1 python3 tools/bench/perception_eval_bench.py --frames 20 --pe-python /tmp/pe-venv/bin/python

(--no-deps skips the reporting extras, e.g. ydata-profiling and nuscenes-devkit, that matching and AP do not
import.) The seeded frames (awml_deploy.metrics.synthetic) are written once to a JSON file; every run is a
fresh child process: ours under this interpreter, the reference under --pe-python through the adapter in
awml_deploy.metrics.crosscheck (the library's NuscenesObjectMatcher and Ap). Ours is the CLI itself: the child
calls ``awml_deploy.metrics.__main__.run`` with the CLI's arguments (--frames the frames file, whose "settings"
key the CLI ignores, --settings a file of the settings alone), so it takes the CLI's own path and writes the
CLI's output file: the native engine when python/awml_deploy/_native.so is there (its SHA-256 is recorded as
"ours_native"; each run records the engine that ran), else the NumPy engine after the CLI's loader (orjson,
collector paused). The file reading and JSON parsing functions are wrapped only to time them; the native path
parses inside its one call, so its "eval" includes the frames' parse. After each such
run, ``python -m awml_deploy.metrics`` is run as is (no wrapper, no timers inside) and must write the same
result; its process times are reported too ("cli_summary", runs "ours_cli").
Order: --ours-runs runs of ours, then one of the reference, repeated --rounds times, then --ours-runs of ours
again (A B A for one round), so ours is measured before and after the reference.

Printed per run: the evaluation's CPU and wall seconds (ours: the child's life minus the time in the CLI's JSON
loader, so imports included as before; the reference: after its json.load), the whole process's wall seconds
(interpreter start, imports, JSON parse, evaluation, exit) and its CPU seconds (user + system of the child); then the medians, their
ratios and the largest difference over counts, AP, APH and their means (APH compared with the variant the
installed library computes: see crosscheck.like_with_like). Distinct scores are used (ties rank in reverse
order in the library; see awml_deploy.metrics docs). The reference child reports each (label, mode) pass on
stderr as it goes. --output writes everything as JSON, the reference's result included.

Both sides run from byte-compiled modules: pip compiled perception_eval when it was installed, and this script
compiles awml_deploy (compileall, into its git-ignored __pycache__) before the first run, since an environment
with PYTHONDONTWRITEBYTECODE set would otherwise recompile our modules in every child. The floor of each
interpreter is measured too (start, then json.load of the same frames file, no evaluation; median of 5): the
part of the process time that is not evaluation; "ours_orjson" is the same with orjson.loads (collector off). --ours-python runs ours under another interpreter, e.g. the
reference's own venv, so that both sides share interpreter, site and NumPy.

--reference-from FILE reuses the reference runs of an earlier --output (same frames, checked by SHA-256 of the
frames file) and runs only ours: the reference takes ~0.8 s of CPU per frame (1,000 frames: ~13 min), so
this measures ours again after a change of ours without another run of the reference. The file's own runs of
ours are kept in the output ("ours_alongside_reference") next to the new ones.
"""

from __future__ import annotations

import argparse
import compileall
import datetime
import hashlib
import json
import math
import os
import platform
import resource
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

THRESHOLDS = synthetic.BENCH_THRESHOLDS
LABELS = list(synthetic.DEFAULT_LABELS)
TIMING_KEYS = ("eval_cpu_s", "eval_wall_s", "process_wall_s", "process_cpu_s")

_CHILD = r"""
import json, sys, time
start, cpu = time.perf_counter(), time.process_time()
sys.path.insert(0, sys.argv[1])
if sys.argv[3] == "ours":  # the CLI itself: its run(), its JSON loader, its output file
    from awml_deploy.metrics import __main__ as cli, jsonio, native3d
    parse, engine = [0.0, 0.0], ["numpy"]
    def timed(function):  # the CLI's own file reading and JSON parsing: their time is left out of "eval"
        def wrapper(*args, **kwargs):
            t, c = time.perf_counter(), time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                parse[0] += time.perf_counter() - t
                parse[1] += time.process_time() - c
        return wrapper
    for name in ("load_json", "read_bytes", "parse_json"):
        setattr(jsonio, name, timed(getattr(jsonio, name)))
    native_evaluate = native3d.evaluate_file
    def counted(*args):  # the native path reads and parses inside its one call: that stays in "eval"
        result = native_evaluate(*args)
        engine[0] = "numpy" if result is None else "native"
        return result
    native3d.evaluate_file = counted
    argv = ["--task", "detection3d", "--frames", sys.argv[2], "--settings", sys.argv[5], "--output", sys.argv[4]]
    status = cli.run(argv)
    timing = {"eval_wall_s": time.perf_counter() - start - parse[0], "eval_cpu_s": time.process_time() - cpu - parse[1]}
    timing["engine"] = engine[0]
    if status != 0:
        sys.exit(status)
    result = json.load(open(sys.argv[4]))
else:
    data = json.load(open(sys.argv[2]))
    start, cpu = time.perf_counter(), time.process_time()
    from awml_deploy.metrics import schema
    from awml_deploy.metrics.crosscheck import reference_detection3d
    frame_list, passes = schema.frame_list, [0]
    def progress(frames):  # one call per (label, mode) pass of the adapter
        passes[0] += 1
        print(f"reference pass {passes[0]} at {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
        return frame_list(frames)
    schema.frame_list = progress
    result = reference_detection3d(data["frames"], data["settings"])
    timing = {"eval_wall_s": time.perf_counter() - start, "eval_cpu_s": time.process_time() - cpu}
json.dump({"timing": timing, "result": result}, open(sys.argv[4], "w"))
"""

_FLOOR = "import json, sys; json.load(open(sys.argv[1]))"
_FLOOR_ORJSON = "import gc, sys, orjson; gc.disable(); orjson.loads(open(sys.argv[1], 'rb').read())"

_VERSIONS = r"""
import json, platform, importlib.metadata as md
out = {"python": platform.python_version()}
for name in ("numpy", "perception_eval", "shapely", "pyquaternion"):
    try:
        out[name] = md.version(name)
    except md.PackageNotFoundError:
        out[name] = None
print(json.dumps(out))
"""


def bench_input(num_frames: int, objects: int, seed: int) -> tuple[list[dict], dict, str, str]:
    """The seeded frames, the settings, both as the JSON text the children read, and its SHA-256."""
    frames = synthetic.frames_3d(num_frames, objects=objects, seed=seed, labels=LABELS, score_decimals=12)
    settings = synthetic.bench_settings(LABELS)
    data = json.dumps({"frames": frames, "settings": settings})
    return frames, settings, data, hashlib.sha256(data.encode()).hexdigest()


def utc_now() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def run_child(python: str, side: str, data_path: Path, out_path: Path, settings_path: Path) -> dict:
    """One evaluation in a fresh process; returns its timings (plus the process's wall and CPU) and result."""
    started = utc_now()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [python, "-c", _CHILD, str(ROOT / "python"), str(data_path), side, str(out_path), str(settings_path)],
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"error: {side} run failed with exit status {done.returncode} (its stderr is above)")
    out = json.loads(out_path.read_text())
    out["timing"]["process_wall_s"] = wall
    out["timing"]["process_cpu_s"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    out["timing"]["started_utc"] = started
    return out


def run_cli(python: str, data_path: Path, settings_path: Path, out_path: Path) -> tuple[dict, dict]:
    """``python -m awml_deploy.metrics`` itself in a fresh process: its wall and CPU seconds, and its result."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    argv = ["--task", "detection3d", "--frames", str(data_path), "--settings", str(settings_path)]
    done = subprocess.run(
        [python, "-m", "awml_deploy.metrics", *argv, "--output", str(out_path)],
        env={**os.environ, "PYTHONPATH": str(ROOT / "python")},
        check=False,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"error: python3 -m awml_deploy.metrics failed with exit status {done.returncode}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"process_wall_s": wall, "process_cpu_s": cpu}, json.loads(out_path.read_text())


def floor(python: str, data_path: Path, runs: int = 5, code: str = _FLOOR) -> float:
    """Median wall seconds of ``python`` starting and parsing the frames file (``code``), without evaluating."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([python, "-c", code, str(data_path)], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def medians(runs: list[dict]) -> dict[str, float]:
    """Median of each timing over ``runs``."""
    return {key: statistics.median(run[key] for run in runs) for key in TIMING_KEYS}


def ratios(ours: dict[str, float], theirs: dict[str, float]) -> dict[str, dict[str, float]]:
    """Per timing: ours, perception_eval and perception_eval / ours."""
    return {k: {"ours": ours[k], "perception_eval": theirs[k], "ratio": theirs[k] / ours[k]} for k in TIMING_KEYS}


def machine(ours_python: str, pe_python: str | None) -> dict:
    """CPU model, affinity, niceness and package versions of both environments."""
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )

    def versions(python: str) -> dict:
        done = subprocess.run([python, "-c", _VERSIONS], capture_output=True, text=True, check=False)
        return json.loads(done.stdout) if done.returncode == 0 else {"error": done.stderr.strip()[-200:]}

    return {
        "cpu_model": model,
        "cpu_count": os.cpu_count(),
        "affinity": sorted(os.sched_getaffinity(0)),
        "nice": os.nice(0),
        "ours_python": ours_python,
        "ours_env": versions(ours_python),
        "perception_eval_python": pe_python,
        "perception_eval_env": versions(pe_python) if pe_python else None,
        "ours_native": native_extension(),
    }


def native_extension() -> dict:
    """The extension ours imports from ROOT/python (the native 3D path runs only where it is there): its SHA-256."""
    path = ROOT / "python" / "awml_deploy" / "_native.so"
    if not path.exists():
        return {"path": str(path), "sha256": None}
    return {"path": str(path), "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


def print_run(tag: str, side: str, t: dict) -> None:
    """One line per run."""
    print(
        f"{tag} {side:>15}: eval {t['eval_cpu_s']:9.3f} s CPU {t['eval_wall_s']:9.3f} s wall, "
        f"process {t['process_wall_s']:9.3f} s wall {t['process_cpu_s']:9.3f} s CPU"
        + (f" ({t['engine']} engine)" if "engine" in t else ""),
        flush=True,
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=10, help="frames (default 10; the reference ~0.8 s CPU each)")
    parser.add_argument("--objects", type=int, default=40, help="mean ground truth per frame (default 40)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=1, help="reference runs, each between runs of ours (default 1)")
    parser.add_argument("--ours-runs", type=int, default=5, help="runs of ours before and after each (default 5)")
    parser.add_argument("--pe-python", default="/tmp/pe-venv/bin/python", help="python of the perception_eval venv")
    parser.add_argument("--ours-python", default=sys.executable, help="python for ours (default: this one)")
    parser.add_argument("--reference-from", default=None, help="reuse the reference runs of this earlier --output")
    parser.add_argument("--output", default=None, help="write the figures as JSON here")
    args = parser.parse_args(argv)
    for name in ("frames", "objects", "rounds", "ours_runs"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be >= 1, got {getattr(args, name)}")
    earlier = json.loads(Path(args.reference_from).read_text()) if args.reference_from else None

    frames, settings, data, digest = bench_input(args.frames, args.objects, args.seed)
    if earlier is not None and earlier.get("frames_sha256") != digest:
        parser.error(f"--reference-from {args.reference_from}: its frames differ (SHA-256), rerun with its arguments")
    info = machine(args.ours_python, args.pe_python if earlier is None else None)
    compileall.compile_dir(str(ROOT / "python" / "awml_deploy"), quiet=1)
    print(f"cpu {info['cpu_model']}, affinity {info['affinity']}, nice {info['nice']}", flush=True)
    ours: list[dict] = []
    reference: list[dict] = [] if earlier is None else earlier["runs"]["perception_eval"]
    cli: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        data_path, out_path = Path(tmp) / "frames.json", Path(tmp) / "out.json"
        settings_path = Path(tmp) / "settings.json"  # ours reads the frames file (its "settings" key unused) and this
        data_path.write_text(data)
        settings_path.write_text(json.dumps(settings))
        info["floor_s"] = {
            "ours": floor(args.ours_python, data_path),
            "ours_orjson": floor(args.ours_python, data_path, code=_FLOOR_ORJSON),
            "perception_eval": floor(args.pe_python, data_path) if Path(args.pe_python).exists() else None,
        }
        print(
            f"floor (interpreter start + json.load, no evaluation): ours {info['floor_s']['ours']:.3f} s "
            f"(orjson.loads: {info['floor_s']['ours_orjson']:.3f} s), "
            f"perception_eval's python {info['floor_s']['perception_eval'] or math.nan:.3f} s",
            flush=True,
        )

        def run_ours(tag: str) -> None:
            for _ in range(args.ours_runs):
                out = run_child(args.ours_python, "ours", data_path, out_path, settings_path)
                ours.append(out["timing"])
                print_run(tag, "ours", out["timing"])
                last["ours"] = out["result"]
                timing, result = run_cli(args.ours_python, data_path, settings_path, out_path)
                cli.append(timing)
                print(
                    f"{tag} {'CLI':>15}: process {timing['process_wall_s']:9.3f} s wall "
                    f"{timing['process_cpu_s']:9.3f} s CPU",
                    flush=True,
                )
                if result != out["result"]:
                    sys.exit("error: python3 -m awml_deploy.metrics wrote another result than the timed child")

        last: dict = {"reference": None if earlier is None else earlier["reference_result"]}
        if earlier is None:
            for r in range(args.rounds):
                run_ours(f"A{r + 1}")
                out = run_child(args.pe_python, "reference", data_path, out_path, settings_path)
                reference.append(out["timing"])
                last["reference"] = out["result"]
                print_run(f"B{r + 1}", "perception_eval", out["timing"])
                if args.output:  # kept even if a later run fails: --reference-from can reuse it
                    partial = {"partial": True, "frames_sha256": digest, "finished_utc": utc_now(), "machine": info}
                    partial |= {"runs": {"ours": ours, "perception_eval": reference}, "reference_result": out["result"]}
                    Path(args.output).write_text(json.dumps(partial, indent=1) + "\n")
        run_ours("A" if earlier is not None else f"A{args.rounds + 1}")
    theirs = last["reference"]
    mine = like_with_like(last["ours"], frames, settings, theirs["aph_variant"])
    diff, where = compare(mine["modes"], theirs["modes"], "modes")

    summary = ratios(medians(ours), medians(reference))
    cli_keys = ("process_wall_s", "process_cpu_s")
    theirs_median = medians(reference)
    cli_summary = {}
    for key in cli_keys:
        median = statistics.median(run[key] for run in cli)
        cli_summary[key] = {"ours": median, "perception_eval": theirs_median[key], "ratio": theirs_median[key] / median}
    n_gt = sum(len(f["gt"]) for f in frames)
    n_pred = sum(len(f["pred"]) for f in frames)
    print(f"frames {args.frames}, {n_gt} gt, {n_pred} pred, {len(THRESHOLDS)} modes x 4 thresholds x 5 labels")
    print(f"medians over {len(ours)} runs of ours and {len(reference)} of perception_eval")
    for key, pair in summary.items():
        print(
            f"median {key:>14}: ours {pair['ours']:9.3f}  perception_eval {pair['perception_eval']:9.3f}  "
            f"ratio {pair['ratio']:8.1f}x"
        )
    for key, pair in cli_summary.items():
        print(
            f"median {key:>14}: python3 -m awml_deploy.metrics {pair['ours']:9.3f}  "
            f"perception_eval {pair['perception_eval']:9.3f}  ratio {pair['ratio']:8.1f}x"
        )
    if earlier is not None:
        alongside = medians(earlier["runs"]["ours"])["process_wall_s"]
        print(f"ours alongside the reference run ({args.reference_from}): median process_wall_s {alongside:.3f}")
    print(f"largest difference: {diff!r} at {where} (APH variant: {theirs['aph_variant']})")
    if args.output:
        report = {
            "frames": args.frames,
            "objects": args.objects,
            "seed": args.seed,
            "modes": THRESHOLDS,
            "labels": LABELS,
            "frames_sha256": digest,
            "num_gt": n_gt,
            "num_pred": n_pred,
            "argv": sys.argv if argv is None else ["perception_eval_bench.py", *argv],
            "finished_utc": utc_now(),
            "machine": info,
            "summary": summary,
            "cli_summary": cli_summary,
            "max_abs_diff": diff,
            "worst_path": where,
            "aph_variant": theirs["aph_variant"],
            "runs": {"ours": ours, "ours_cli": cli, "perception_eval": reference},
            "reference_result": theirs,
        }
        if earlier is not None:
            report["reference_from"] = {
                "file": args.reference_from,
                "finished_utc": earlier.get("finished_utc"),
                "machine": earlier.get("machine"),
            }
            report["ours_alongside_reference"] = earlier["runs"]["ours"]
        Path(args.output).write_text(json.dumps(report, indent=1) + "\n")
    return 0 if diff <= 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main())
