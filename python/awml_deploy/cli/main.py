"""`awml-deploy <project> [deploy_cfg] [model_cfg] [--checkpoint] [--rot-y-axis-reference] [--awml-root]
[--mode] [--work-dir] [--cfg-options ...]` and `awml-deploy list`.

The positional form is AWML's (`<project> <deploy_cfg> <model_cfg>`): the model config sets
``project.model_config`` and ``--rot-y-axis-reference`` sets ``project.rot_y_axis_reference``; a project that
has no such setting says so in one line.

Exit codes: 0 every enabled gate passed, 1 a gate failed, 2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator, Sequence

from awml_deploy.core.errors import EXIT_GATE_FAILED, EXIT_USAGE, DeployError, fail

DESCRIPTION = "Export a PyTorch model to ONNX/TensorRT, verify the artifacts against PyTorch and evaluate them."
EPILOG = "Exit codes: 0 every enabled gate passed, 1 a gate failed, 2 usage or configuration error."


class _Parser(argparse.ArgumentParser):
    """argparse that fails through the framework (one line, exit 2) instead of exiting itself."""

    def error(self, message: str) -> None:  # type: ignore[override]
        fail(f"usage | {message}. Note: expected `{self.prog} --help` syntax")


def build_parser() -> argparse.ArgumentParser:
    """The CLI parser (no heavy imports)."""
    parser = _Parser(prog="awml-deploy", description=DESCRIPTION, epilog=EPILOG)
    parser.add_argument("project", help="project name (see `awml-deploy list`), or `list`")
    parser.add_argument(
        "config", nargs="?", default=None, help="deploy config (.py/.yaml/.json); defaults to the project's"
    )
    parser.add_argument(
        "model_config", nargs="?", default=None, help="model config (AWML/mmdet3d .py); sets project.model_config"
    )
    parser.add_argument(
        "--rot-y-axis-reference",
        action="store_true",
        help="export the head in Autoware's y-axis convention (AWML's flag); sets project.rot_y_axis_reference",
    )
    parser.add_argument(
        "--awml-root",
        default=None,
        metavar="DIR",
        help="AWML checkout whose projects.* and autoware_ml import next to ours; defaults to $AWML_ROOT",
    )
    parser.add_argument("--mode", choices=("onnx", "trt", "both", "none"), default=None, help="override export.mode")
    parser.add_argument("--work-dir", default=None, help="override export.work_dir")
    parser.add_argument("--checkpoint", default=None, help="override checkpoint_path")
    parser.add_argument(
        "--log-level", choices=("DEBUG", "INFO", "WARNING", "ERROR"), default=None, help="override logging.level"
    )
    parser.add_argument(
        "--cfg-options",
        nargs="+",
        default=[],
        metavar="KEY=VALUE",
        help="override config keys, e.g. verification.num_verify_samples=5",
    )
    return parser


def list_projects() -> int:
    """Prints registered projects and whether their module is installed."""
    from awml_deploy.runtime.projects import is_installed, registered_projects

    for name, module in sorted(registered_projects().items()):
        state = "installed" if is_installed(module) else "not installed"
        print(f"{name:24s} {module}  ({state})")
    return 0


def run(argv: Sequence[str] | None = None) -> int:
    """Parses ``argv`` and runs; raises DeployError on usage/config errors.

    Args:
        argv (Sequence[str] | None): Arguments. Defaults to ``sys.argv[1:]``.

    Returns:
        int: Exit code (0 or 1).
    """
    args = build_parser().parse_args(argv)
    if args.project == "list":
        if args.config is not None:
            fail(f"usage | `list` takes no config. Note: expected `awml-deploy list`, got {args.config!r}")
        return list_projects()
    from awml_deploy.awml.root import add_awml_root
    from awml_deploy.config.loader import load_config
    from awml_deploy.runtime.projects import load_project
    from awml_deploy.runtime.session import deploy

    add_awml_root(args.awml_root)
    project = load_project(args.project)
    config_path = args.config if args.config is not None else project.default_config
    if config_path is None:
        fail(f"usage | project {project.name} has no default config. Note: expected a config path, got none")
    overrides = list(args.cfg_options)
    for flag, key in (
        (args.model_config, "project.model_config"),
        (True if args.rot_y_axis_reference else None, "project.rot_y_axis_reference"),
        (args.mode, "export.mode"),
        (args.work_dir, "export.work_dir"),
        (args.checkpoint, "checkpoint_path"),
        (args.log_level, "logging.level"),
    ):
        if flag is not None:
            overrides.append(f"{key}={flag!r}")
    config = load_config(config_path, overrides)
    runner = project.create_runner(config)
    return deploy(runner, project.name).exit_code


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (a CI timeout, ``kill``) stops the run like Ctrl-C: temp files removed, one line, exit 2."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point: prints every error on one line to stderr, never a traceback.

    DeployError: its exit code; file-system errors, too-deep or too-large input: exit 2; anything else is a bug,
    printed as "internal error" with exit 1 (``AWML_DEPLOY_TRACEBACK=1`` re-raises it).

    Args:
        argv (Sequence[str] | None): Arguments. Defaults to ``sys.argv[1:]``.

    Returns:
        int: Exit code.
    """
    try:
        with _sigterm_as_interrupt():
            return run(argv)
    except DeployError as err:
        print(f"awml-deploy: error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("awml-deploy: interrupted", file=sys.stderr)
        return EXIT_USAGE
    except OSError as err:  # the file system outside the guarded stages: one line, a usage/environment error
        where = f" ({err.filename})" if err.filename is not None else ""
        print(f"awml-deploy: error: file system | {err.strerror or err}{where}", file=sys.stderr)
        return EXIT_USAGE
    except (RecursionError, MemoryError) as err:
        print(f"awml-deploy: error: input too large or too deeply nested | {type(err).__name__}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as err:  # noqa: BLE001 - a bug: one line (set AWML_DEPLOY_TRACEBACK=1 for the traceback)
        if os.environ.get("AWML_DEPLOY_TRACEBACK"):
            raise
        text = " ".join(str(err).split())[:300]
        print(f"awml-deploy: error: internal error | {type(err).__name__}: {text}", file=sys.stderr)
        return EXIT_GATE_FAILED


if __name__ == "__main__":
    sys.exit(main())
