"""The one entry of every bundle's ``bazel run //projects/<name>:deploy`` binary.

``awml_project_deploy(project = "<name>")`` in ``tools/bazel/defs.bzl`` generates the binary's main, a single call
``main("<name>", "projects.<name>.runner")``: the binary registers its own project (no list of bundles in the
framework) and runs ``awml-deploy <name> ...`` with the user's arguments.

Under ``bazel run`` the process starts inside the runfiles; outputs belong in the directory the user started the
command from (``$BUILD_WORKING_DIRECTORY``), so the work directory defaults to ``work_dirs/<project>`` there.
"""

from __future__ import annotations

import os
import pathlib
import sys
from collections.abc import Sequence


def with_default_work_dir(project: str, argv: Sequence[str]) -> list[str]:
    """CLI arguments with ``--work-dir`` added when the user gave none.

    Args:
        project (str): Project name (the folder under ``work_dirs``).
        argv (Sequence[str]): The user's arguments.

    Returns:
        list[str]: ``argv``, then ``--work-dir <start dir>/work_dirs/<project>`` unless it names one (after the
        user's arguments: argparse binds optional positionals such as the config only before the first option).
    """
    argv = list(argv)
    if any(a == "--work-dir" or a.startswith("--work-dir=") for a in argv):
        return argv
    base = os.environ.get("BUILD_WORKING_DIRECTORY") or os.getcwd()
    return [*argv, "--work-dir", str(pathlib.Path(base) / "work_dirs" / project)]


def main(project: str, module: str | None = None, argv: Sequence[str] | None = None) -> int:
    """Runs ``awml-deploy <project> ...`` with the default work directory, saying where the outputs go.

    Args:
        project (str): Project name.
        module (str | None): Module defining the project's ``PROJECT``; registered for this process. Defaults to
            the registration the project already has (entry point, ``AWML_DEPLOY_PROJECTS``).
        argv (Sequence[str] | None): Arguments after the project name. Defaults to ``sys.argv[1:]``.

    Returns:
        int: The CLI's exit code.
    """
    from awml_deploy.cli.main import main as cli_main
    from awml_deploy.runtime.projects import register_project

    if module is not None:
        register_project(project, module)
    full = with_default_work_dir(project, sys.argv[1:] if argv is None else argv)
    if "-h" not in full and "--help" not in full:
        where = full[full.index("--work-dir") + 1] if "--work-dir" in full else "the --work-dir given"
        print(f"awml-deploy {project} | outputs in {where}", file=sys.stderr)
    return cli_main([project, *full])
