"""`bazel run //projects/yolox:deploy [config] [awml-deploy options]`: deploys YOLOX through the awml-deploy CLI.

With no arguments it deploys the embedded default (``configs/deploy_default.py``: the committed checkpoint on the
committed synthetic images): ONNX export (+ NMS variants), TensorRT when available, PyTorch vs ONNX
verification, evaluation of every available backend, report. Exit code 0 only if every enabled gate passed.
Under ``bazel run`` relative paths (and the default ``work_dirs/yolox``) resolve against the workspace.
"""

import os
import sys


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    workspace = os.environ.get("BUILD_WORKSPACE_DIRECTORY")
    if workspace:
        os.chdir(workspace)
    from awml_deploy.cli.main import main as cli_main

    return cli_main(["yolox", *argv])


if __name__ == "__main__":
    sys.exit(main())
