"""Writes the committed evaluation set of the embedded default (scene specs + perturbations, re-rendered at use).

Usage (from the repository root)::

    PYTHONPATH=python:. python3 projects/calibration_status/tools/generate_dataset.py \
        --out projects/calibration_status/assets/eval_set.json

Scenes come from ``sample_scene(seed)`` for seeds ``--first-seed ..`` (disjoint from the training seeds [0, 150)
and validation seeds 50000+); each scene gives one calibrated and one miscalibrated sample per camera of the rig.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys

_ROOT = pathlib.Path(__file__).resolve().parents[3]
sys.path[:0] = [str(_ROOT), str(_ROOT / "python")]

from projects.calibration_status.dataset import default_cameras, generate_eval_set  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--scenes", type=int, default=25)
    parser.add_argument("--first-seed", type=int, default=100000)
    parser.add_argument("--miscalibration-seed", type=int, default=100000)
    args = parser.parse_args(argv)
    data = generate_eval_set(
        range(args.first_seed, args.first_seed + args.scenes), args.miscalibration_seed, default_cameras()
    )
    out = pathlib.Path(args.out)
    out.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {out}: {len(data['scenes'])} scenes, {len(data['samples'])} samples, {out.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
