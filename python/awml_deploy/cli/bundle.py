"""The entry shared by the bundles' ``bazel run //projects/<name>:deploy`` targets.

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
        list[str]: ``argv``, preceded by ``--work-dir <start dir>/work_dirs/<project>`` unless it names one.
    """
    argv = list(argv)
    if any(a == "--work-dir" or a.startswith("--work-dir=") for a in argv):
        return argv
    base = os.environ.get("BUILD_WORKING_DIRECTORY") or os.getcwd()
    return ["--work-dir", str(pathlib.Path(base) / "work_dirs" / project), *argv]


def run_bundle(project: str, argv: Sequence[str] | None = None) -> int:
    """Runs ``awml-deploy <project> ...`` with the default work directory, saying where the outputs go.

    Args:
        project (str): Registered project name.
        argv (Sequence[str] | None): Arguments after the project name. Defaults to ``sys.argv[1:]``.

    Returns:
        int: The CLI's exit code.
    """
    full = with_default_work_dir(project, sys.argv[1:] if argv is None else argv)
    if "-h" not in full and "--help" not in full:
        where = full[full.index("--work-dir") + 1] if "--work-dir" in full else "the --work-dir given"
        print(f"awml-deploy {project} | outputs in {where}", file=sys.stderr)
    from awml_deploy.cli.main import main

    return main([project, *full])
