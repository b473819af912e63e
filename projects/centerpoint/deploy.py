"""`bazel run //projects/centerpoint:deploy`: deploys CenterPoint (PyTorch -> ONNX -> TensorRT), verifies, evaluates.

The CenterPoint project bundle (model, export, pipelines, embedded default) is not in this revision yet:
this entry point says so clearly and exits 2 until it lands.
"""

import sys


def main(argv=None):
    del argv
    print(
        "awml-deploy centerpoint | not yet available: the CenterPoint project bundle has not landed in this "
        "revision. Note: available now are `bazel test //tests/...` and `python3 -m awml_deploy.metrics`.",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
