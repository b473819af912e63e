"""Writes a small T4-shaped 2D dataset (AWML's ``yolox_infos_<split>.json`` + camera images) for tests and trials.

Usage (from the repository root):
    python3 projects/yolox/tools/make_t4_2d_dataset.py --out /tmp/t4_2d --count 12
    python3 projects/yolox/tools/make_t4_2d_dataset.py --out /tmp/t4_2d \\
        --classes unknown,car,truck,bus,trailer,motorcycle,pedestrian,bicycle

Then deploy with ``--cfg-options runtime_io.info_file=/tmp/t4_2d/info/yolox_infos_val.json``.
"""

from __future__ import annotations

import argparse
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[3]
sys.path[:0] = [str(ROOT), str(ROOT / "python")]

from projects.yolox.t4_2d import write_t4_2d_dataset  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="dataset root")
    parser.add_argument("--count", type=int, default=12)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--classes", default=None, help="comma-separated dataset class names (default: the shapes)")
    parser.add_argument("--split", default="val")
    parser.add_argument("--relative", action="store_true", help="img_path relative to the info file")
    args = parser.parse_args(argv)
    classes = None if args.classes is None else [c.strip() for c in args.classes.split(",") if c.strip()]
    info = write_t4_2d_dataset(args.out, args.count, args.seed, classes, args.split, args.relative)
    print(f"wrote {args.count} images and {info}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
