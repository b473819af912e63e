"""Writes the embedded evaluation set: synthetic scenes as JPEG files + ``annotations.json``.

Usage (from the repository root):
    python3 projects/yolox/tools/generate_images.py --out projects/yolox/assets/eval --count 150 --seed 7

The annotation file lists, per image, the file name, size and ground-truth boxes ``[x1, y1, x2, y2]`` (pixels,
original image) with their class names. Training never sees these seeds (it renders its own scenes).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[3]
sys.path[:0] = [str(ROOT), str(ROOT / "python")]

from projects.yolox.synthetic import CLASS_NAMES, render_scene  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="output directory (images/ + annotations.json)")
    parser.add_argument("--count", type=int, default=150)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--quality", type=int, default=92, help="JPEG quality")
    args = parser.parse_args(argv)

    import cv2

    out = pathlib.Path(args.out)
    (out / "images").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    entries = []
    for index in range(args.count):
        scene = render_scene(rng)
        name = f"images/{index:04d}.jpg"
        cv2.imwrite(str(out / name), scene["image"], [cv2.IMWRITE_JPEG_QUALITY, args.quality])
        height, width = scene["image"].shape[:2]
        entries.append(
            {
                "file": name,
                "width": width,
                "height": height,
                "boxes": [[round(float(v), 2) for v in box] for box in scene["bboxes"]],
                "labels": [CLASS_NAMES[int(i)] for i in scene["labels"]],
            }
        )
    doc = {"classes": list(CLASS_NAMES), "seed": args.seed, "images": entries}
    (out / "annotations.json").write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.count} images and annotations.json to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
