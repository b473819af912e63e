"""`bazel run //projects/lidar_segmentation:deploy [-- CLI options]`: the LiDAR point segmentation bundle.

With no arguments: export the embedded checkpoint to ONNX (and TensorRT where installed), verify PyTorch vs ONNX
(logits tolerance + per-point label agreement gate), evaluate every available backend (per-point mIoU) on the
committed evaluation scenes and write report.json/report.md. Exit code 0 only when every gate passed (1 a gate
failed, 2 usage/config error). Any option of `awml-deploy` may follow (`--mode onnx`, `--cfg-options ...`, a
config path). Under `bazel run` the work directory defaults to `work_dirs/lidar_segmentation` in the directory the
command was started from.
"""

import pathlib
import sys

_ROOT = pathlib.Path(__file__).absolute().parents[2]  # not resolve(): under bazel run, stay in the runfiles
for _path in (str(_ROOT), str(_ROOT / "python")):
    if _path not in sys.path:
        sys.path.append(_path)

from awml_deploy.cli.bundle import run_bundle  # noqa: E402


def main(argv=None):
    """Runs the framework CLI for the project; returns its exit code."""
    return run_bundle("lidar_segmentation", argv)


if __name__ == "__main__":
    sys.exit(main())
