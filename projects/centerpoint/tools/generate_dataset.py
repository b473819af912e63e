"""Generates the synthetic LiDAR data of the CenterPoint embedded default.

* train: ``--num-train`` scenes (seeds 0..N-1) rendered to ``--train-dir`` (points, semantic labels,
  ``infos.pkl``). Not committed: it is only needed to retrain the checkpoint.
* eval: ``--num-eval`` scenes (seeds 1_000_000 + i) written as the committed scene-set JSON
  (``assets/eval_scenes.json``: specs + per-frame sha256, no points) and the info file
  ``assets/eval_infos.pkl`` (relative paths ``points/NNNNNN.bin``); ``materialize_scene_set`` re-renders the
  points wherever they are needed.

Usage: ``python3 projects/centerpoint/tools/generate_dataset.py [--which train|eval|all] ...`` (with
``python/`` on PYTHONPATH, or via Bazel).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time

from awml_deploy.datasets import synthetic_set

HERE = os.path.dirname(os.path.abspath(__file__))
ASSETS = os.path.join(os.path.dirname(HERE), "assets")
EVAL_SEED_BASE = 1_000_000


def _progress(tag: str):
    start = time.time()

    def report(done: int, total: int) -> None:
        if done == total or done % 100 == 0:
            print(f"[{tag}] {done}/{total} frames, {time.time() - start:.0f} s", flush=True)

    return report


def main(argv: list[str] | None = None) -> int:
    """Entry point.

    Args:
        argv (list[str] | None): Arguments. Defaults to ``sys.argv[1:]``.

    Returns:
        int: Exit code.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--which", choices=("train", "eval", "all"), default="all")
    parser.add_argument(
        "--train-dir", default=os.path.join(tempfile.gettempdir(), "awml_centerpoint_synthetic", "train")
    )
    parser.add_argument("--num-train", type=int, default=1500)
    parser.add_argument("--num-eval", type=int, default=300)
    parser.add_argument("--assets-dir", default=ASSETS)
    parser.add_argument("--min-points", type=int, default=synthetic_set.DEFAULT_MIN_POINTS)
    args = parser.parse_args(argv)

    if args.which in ("train", "all"):
        info = synthetic_set.generate_scene_set(
            list(range(args.num_train)), args.train_dir, min_points=args.min_points, progress=_progress("train")
        )
        print(f"train set: {info}")
    if args.which in ("eval", "all"):
        with tempfile.TemporaryDirectory() as tmp:
            seeds = [EVAL_SEED_BASE + i for i in range(args.num_eval)]
            json_path = os.path.join(args.assets_dir, "eval_scenes.json")
            info = synthetic_set.generate_scene_set(
                seeds, tmp, json_path=json_path, min_points=args.min_points, progress=_progress("eval")
            )
            shutil.copyfile(info, os.path.join(args.assets_dir, "eval_infos.pkl"))
        print(f"eval set: {json_path} ({os.path.getsize(json_path)} B) + eval_infos.pkl")
    return 0


if __name__ == "__main__":
    sys.exit(main())
