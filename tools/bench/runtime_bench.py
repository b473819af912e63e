"""The C++ CenterPointRuntime on CUDA vs its CPU run, and its per-frame pre + post latency (engines excluded).

Two steps, because the GPU machine has neither Bazel nor mmdet3d:

1. Here (mmdet3d, onnxruntime): ``python3 tools/bench/runtime_bench.py prepare --out build/gpu/runtime`` exports the
   embedded CenterPoint to ONNX and writes ``settings.json`` (the runtime settings of its geometry) and the first
   embedded evaluation frames as ``frames.npz``.
2. There: ``python3 tools/bench/runtime_bench.py run --data build/gpu/runtime --out <file.json>`` (with an
   ``awml_deploy._native`` built with CUDA on ``PYTHONPATH``). Engines: ONNX Runtime sessions on the exported ONNX
   when ``onnxruntime`` imports, else numpy stand-ins with fixed random weights (a PFN-like encoder and 1x1 heads:
   a real computation, the same for both runs; the JSON says which). Each frame runs on ``cpu`` and on ``cuda``;
   the boxes must agree (same count, max |diff| <= 1e-4) or the exit code is 1. Latency: per frame, ``repeats``
   iterations of points in -> voxelize -> features -> head layout -> decode -> circle NMS -> results out, with
   the one host synchronisation of the download (``CenterPointRuntime.time_pre_post``); the JSON keeps every raw
   time.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

REPO = pathlib.Path(__file__).resolve().parents[2]
ENCODER, HEAD = "pts_voxel_encoder.onnx", "pts_backbone_neck_head.onnx"
BOX_TOLERANCE = 1e-4


def prepare(out: pathlib.Path, frames: int) -> None:
    """Exports the embedded model and writes settings.json and frames.npz to ``out``."""
    sys.path[:0] = [str(REPO / "python"), str(REPO)]
    from awml_deploy.config.loader import load_config
    from awml_deploy.datasets import synthetic_set
    from projects.centerpoint import export as cp_export
    from projects.centerpoint.evaluator import CenterPointSamples
    from projects.centerpoint.model import load_centerpoint
    from projects.centerpoint.runtime_backend import runtime_settings

    model = load_centerpoint(str(REPO / "projects/centerpoint/assets/centerpoint_tiny_synthetic.pth"), "cpu")
    scenes = str(REPO / "projects/centerpoint/assets/eval_scenes.json")
    data = synthetic_set.materialize_scene_set(scenes, tempfile.mkdtemp(prefix="runtime_bench_"), frames)
    samples = CenterPointSamples(data, model.geometry.class_names)
    config = load_config(str(REPO / "projects/centerpoint/configs/deploy_default.py"))
    components = cp_export.derive_components(model.geometry, config.components)
    pipeline = cp_export.CenterPointExportPipeline(model.geometry, False, single_graph=False)
    pipeline.export_onnx(model, samples, 0, components, config.onnx_config, out, {"producer": "runtime_bench"})
    settings = runtime_settings(model.geometry, False, return_heads=False)
    (out / "settings.json").write_text(json.dumps(settings, indent=1))
    points = {f"frame{i:03d}": np.asarray(samples.get_sample(i)["points"], np.float32) for i in range(len(samples))}
    np.savez(out / "frames.npz", **points)
    print(f"wrote {out}: {ENCODER}, {HEAD}, settings.json, frames.npz ({len(points)} frames)")


def numpy_engines(native, settings: dict) -> list:
    """A PFN-like encoder and 1x1-conv heads with fixed random weights, as PythonEngines (real, deterministic)."""
    rng = np.random.default_rng(0)
    m, c, classes = settings["max_points_per_pillar"], settings["encoder_channels"], settings["num_classes"]
    f = 10 if settings["use_voxel_center_z"] else 9
    w_enc = rng.normal(0, 0.3, (f, c)).astype(np.float32)
    channels = {"heatmap": classes, "reg": 2, "height": 1, "dim": 3, "rot": 2, "vel": 2}
    w_head = {k: rng.normal(0, 0.5, (n, c)).astype(np.float32) for k, n in channels.items()}
    bias = {k: np.zeros((n, 1, 1), np.float32) for k, n in channels.items()}
    bias["heatmap"] -= 2.0
    s = settings["out_size_factor"]
    grid_x = round((settings["point_cloud_range"][3] - settings["point_cloud_range"][0]) / settings["voxel_size"][0])
    grid_y = round((settings["point_cloud_range"][4] - settings["point_cloud_range"][1]) / settings["voxel_size"][1])

    def encoder(feed):
        x = np.maximum(feed["input_features"] @ w_enc, 0.0)
        return {"pillar_features": x.max(axis=1, keepdims=True).astype(np.float32)}

    def head(feed):
        canvas = feed["spatial_features"][0]
        pooled = canvas.reshape(c, grid_y // s, s, grid_x // s, s).mean(axis=(2, 4))
        return {k: (np.einsum("oc,chw->ohw", w, pooled) + bias[k])[None].astype(np.float32) for k, w in w_head.items()}

    enc_io = {
        "inputs": [{"name": "input_features", "dtype": "float32", "shape": [-1, m, f]}],
        "outputs": [{"name": "pillar_features", "dtype": "float32", "shape": [-1, 1, c]}],
    }
    hh, hw = grid_y // s, grid_x // s
    head_io = {
        "inputs": [{"name": "spatial_features", "dtype": "float32", "shape": [1, c, grid_y, grid_x]}],
        "outputs": [{"name": k, "dtype": "float32", "shape": [1, n, hh, hw]} for k, n in channels.items()],
    }
    return [native.PythonEngine(encoder, enc_io), native.PythonEngine(head, head_io)]


def onnx_engines(native, data: pathlib.Path) -> list:
    """ONNX Runtime (CPU) sessions on the exported graphs, as PythonEngines."""
    import onnxruntime as ort

    types = {"tensor(float)": "float32", "tensor(int32)": "int32"}
    engines = []
    for name in (ENCODER, HEAD):
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        session = ort.InferenceSession(str(data / name), options, providers=["CPUExecutionProvider"])
        outputs = [o.name for o in session.get_outputs()]

        def describe(args):
            return [
                {"name": a.name, "dtype": types[a.type], "shape": [d if isinstance(d, int) else -1 for d in a.shape]}
                for a in args
            ]

        def run(feed, session=session, outputs=outputs):
            return dict(zip(outputs, session.run(outputs, dict(feed)), strict=True))

        io = {"inputs": describe(session.get_inputs()), "outputs": describe(session.get_outputs())}
        engines.append(native.PythonEngine(run, io))
    return engines


def summary(times: list[float]) -> dict:
    ordered = sorted(times)
    return {
        "median_ms": statistics.median(ordered),
        "p90_ms": ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))],
        "mean_ms": statistics.fmean(ordered),
        "min_ms": ordered[0],
    }


def run(data: pathlib.Path, out: pathlib.Path, repeats: int, devices: tuple[str, ...] = ("cpu", "cuda")) -> int:
    """CUDA vs CPU equality on every frame and pre + post latency on both; raw JSON to ``out``. Returns 0 or 1."""
    from awml_deploy import _native as native

    settings = json.loads((data / "settings.json").read_text())
    frames = dict(np.load(data / "frames.npz"))
    try:
        import onnxruntime  # noqa: F401

        make, engine_kind = (lambda: onnx_engines(native, data)), "onnxruntime_cpu"
    except ImportError:
        make, engine_kind = (lambda: numpy_engines(native, settings)), "numpy_random_weights"
    runtimes = {d: native.CenterPointRuntime(settings, make(), d) for d in devices}
    f = settings["num_point_features"]
    result: dict = {
        "benchmark": "tools/bench/runtime_bench.py",
        "engines": engine_kind,
        "what": "points in -> voxelize -> features -> head layout -> decode -> circle NMS -> results out; "
        "engines excluded (their outputs of the frame's full run stay in the buffers); one host sync",
        "repeats_per_frame": repeats,
        "host": platform.node(),
        "python": platform.python_version(),
        "gpu": gpu_name(),
        "frames": {},
    }
    worst, failures = 0.0, []
    for name, points in sorted(frames.items()):
        cloud = np.ascontiguousarray(points[:, :f], np.float32)
        boxes = {d: r.detect(cloud)["boxes"] for d, r in runtimes.items()}
        ref, test = boxes[devices[0]], boxes[devices[-1]]
        same_count = ref.shape == test.shape
        diff = float(np.abs(ref - test).max()) if same_count and ref.size else 0.0
        worst = max(worst, diff)
        if not same_count or diff > BOX_TOLERANCE:
            failures.append(name)
        timings = {d: r.time_pre_post(cloud, repeats) for d, r in runtimes.items()}
        result["frames"][name] = {
            "points": int(cloud.shape[0]),
            **{f"boxes_{d}": int(b.shape[0]) for d, b in boxes.items()},
            "max_abs_box_diff": diff,
            "raw_ms": timings,
        }
    for device in runtimes:
        medians = [statistics.median(v["raw_ms"][device]) for v in result["frames"].values()]
        result[f"{device}_per_frame_median"] = summary(medians)
    result["equality"] = {"passed": not failures, "failed_frames": failures, "max_abs_box_diff": worst}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    latency = ", ".join(f"{d} {result[f'{d}_per_frame_median']['median_ms']:.3f} ms" for d in runtimes)
    print(
        f"engines {engine_kind}; {len(frames)} frames; {devices[-1]} vs {devices[0]} boxes: "
        f"{'PASSED' if not failures else 'FAILED ' + str(failures)} (max |diff| {worst:.3g}); "
        f"pre+post, median of frame medians: {latency}; wrote {out}"
    )
    return 0 if not failures else 1


def gpu_name() -> str:
    try:
        query = ["nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader"]
        return subprocess.run(query, capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare", help="export the embedded model and frames (needs mmdet3d)")
    p.add_argument("--out", type=pathlib.Path, default=REPO / "build/gpu/runtime")
    p.add_argument("--frames", type=int, default=20)
    r = sub.add_parser("run", help="CUDA vs CPU equality and latency (needs a CUDA build of _native)")
    r.add_argument("--data", type=pathlib.Path, default=REPO / "build/gpu/runtime")
    r.add_argument("--out", type=pathlib.Path, default=pathlib.Path(f"/tmp/runtime_bench_{int(time.time())}.json"))
    r.add_argument("--repeats", type=int, default=30)
    r.add_argument("--devices", default="cpu,cuda", help="comma-separated; the first is the reference")
    args = parser.parse_args(argv)
    if args.command == "prepare":
        prepare(args.out, args.frames)
        return 0
    return run(args.data, args.out, args.repeats, tuple(args.devices.split(",")))


if __name__ == "__main__":
    sys.exit(main())
