"""Writes the evaluation scene set of the embedded default (``assets/eval_scenes.json``).

    PYTHONPATH=python:. python3 projects/lidar_segmentation/tools/generate_dataset.py [--frames 16]

Scenes are ``synthetic_lidar.sample_scene(seed)`` for seeds ``EVAL_SEED0 .. EVAL_SEED0 + frames - 1``; training uses
seeds below ``EVAL_SEED0`` (tools/train.py: training 0 .. frames - 1, validation from ``VAL_SEED0`` = 800000), so
the three never overlap.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import tempfile

_ROOT = pathlib.Path(__file__).resolve().parents[3]
for _p in (str(_ROOT), str(_ROOT / "python")):
    if _p not in sys.path:
        sys.path.append(_p)

from awml_deploy.datasets.synthetic_set import generate_scene_set  # noqa: E402

EVAL_SEED0 = 900_000
DEFAULT_OUT = _ROOT / "projects" / "lidar_segmentation" / "assets" / "eval_scenes.json"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=16, help="number of evaluation frames")
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="scene-set JSON to write")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        generate_scene_set(list(range(EVAL_SEED0, EVAL_SEED0 + args.frames)), tmp, json_path=args.out)
    print(f"wrote {args.out} ({args.frames} frames)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
