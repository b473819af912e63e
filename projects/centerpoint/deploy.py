"""`bazel run //projects/centerpoint:deploy`: deploys CenterPoint (PyTorch -> ONNX -> TensorRT), verifies, evaluates.

With no arguments it runs the embedded default (tiny checkpoint, synthetic scenes) into ``work_dirs/centerpoint``
of the directory the command was started from (``$BUILD_WORKING_DIRECTORY`` under ``bazel run``, so outputs land
in the checkout, not in the runfiles). Arguments are those of ``awml-deploy centerpoint ...`` plus
``--rot-y-axis-reference`` (export the head in Autoware's y-axis convention).
"""

import os
import pathlib
import sys

_ROOT = pathlib.Path(__file__).absolute().parents[2]  # not resolve(): under bazel run, stay in the runfiles
for _path in (str(_ROOT / "python"), str(_ROOT)):
    if _path not in sys.path:
        sys.path.append(_path)  # after the runfiles paths: the built _native.so lives there

from awml_deploy.cli.main import main as cli_main  # noqa: E402 - after the path set-up for direct runs

PROJECT = "centerpoint"


def default_work_dir() -> pathlib.Path:
    """``work_dirs/centerpoint`` under the caller's directory (``$BUILD_WORKING_DIRECTORY`` under bazel run)."""
    base = os.environ.get("BUILD_WORKING_DIRECTORY") or os.getcwd()
    return pathlib.Path(base) / "work_dirs" / PROJECT


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
    if "--work-dir" not in argv and not any(a.startswith("--work-dir=") for a in argv):
        argv = ["--work-dir", str(default_work_dir())] + argv
    if "-h" in argv or "--help" in argv:
        print(__doc__.strip() + "\n", file=sys.stderr)
    return [PROJECT] + argv


def main(argv=None):
    """Runs the CLI for project centerpoint; returns its exit code."""
    argv = sys.argv[1:] if argv is None else argv
    full = build_argv(argv)
    work_dir = full[full.index("--work-dir") + 1] if "--work-dir" in full else "(from --work-dir=)"
    if "-h" not in full and "--help" not in full:
        print(f"awml-deploy centerpoint | outputs in {work_dir}", file=sys.stderr)
    return cli_main(full)


if __name__ == "__main__":
    sys.exit(main())
