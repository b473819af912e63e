"""`bazel run //projects/centerpoint:deploy`: deploys CenterPoint (PyTorch -> ONNX -> TensorRT), verifies, evaluates.

With no arguments it runs the embedded default (tiny checkpoint, synthetic scenes) into ``work_dirs/centerpoint``
of the directory the command was started from (``$BUILD_WORKING_DIRECTORY`` under ``bazel run``, so outputs land
in the checkout, not in the runfiles). Arguments are those of ``awml-deploy centerpoint ...`` plus
``--rot-y-axis-reference`` (export the head in Autoware's y-axis convention).
"""

import pathlib
import sys

_ROOT = pathlib.Path(__file__).absolute().parents[2]  # not resolve(): under bazel run, stay in the runfiles
for _path in (str(_ROOT / "python"), str(_ROOT)):
    if _path not in sys.path:
        sys.path.append(_path)  # after the runfiles paths: the built _native.so lives there

from awml_deploy.cli.bundle import run_bundle, with_default_work_dir  # noqa: E402 - after the path set-up

PROJECT = "centerpoint"


def build_argv(argv):
    """Framework CLI arguments for ``argv`` (the project name, the default work dir unless given, flags mapped)."""
    argv = list(argv)
    if "--rot-y-axis-reference" in argv:
        argv.remove("--rot-y-axis-reference")
        option = "project.rot_y_axis_reference=True"
        if "--cfg-options" in argv:
            argv.insert(argv.index("--cfg-options") + 1, option)
        else:
            argv += ["--cfg-options", option]
    argv = with_default_work_dir(PROJECT, argv)
    if "-h" in argv or "--help" in argv:
        print(__doc__.strip() + "\n", file=sys.stderr)
    return [PROJECT] + argv


def main(argv=None):
    """Runs the CLI for project centerpoint; returns its exit code."""
    return run_bundle(PROJECT, build_argv(sys.argv[1:] if argv is None else argv)[1:])


if __name__ == "__main__":
    sys.exit(main())
