"""Command line: ``python3 -m awml_deploy.metrics --task T --frames F.json --settings S.json --output R.json``.

Exit status 0 on success; on malformed input one line naming the offending path on stderr and exit status 2
(no traceback). With ``--crosscheck`` the same frames also go through ``perception_eval`` (it must be
importable) and the largest difference is printed and stored under ``"crosscheck"`` in the output.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python3 -m awml_deploy.metrics",
        description="autoware_perception_evaluation metrics (docs/METRICS.md), vectorised.",
    )
    parser.add_argument(
        "--task", required=True, choices=("detection3d", "detection2d", "classification2d", "segmentation")
    )
    parser.add_argument("--frames", required=True, help="FRAMES.json: {'frames': [...]}")
    parser.add_argument(
        "--settings",
        required=True,
        help="SETTINGS.json: labels, thresholds, range_filter (segmentation: labels, ignore_index)",
    )
    parser.add_argument("--output", required=True, help="where to write RESULT.json")
    parser.add_argument(
        "--crosscheck", action="store_true", help="also run perception_eval and report the largest difference"
    )
    return parser


def _native_detection3d(task: str, frames_path: str, settings_path: str) -> dict | None:
    """The result by the native engine (:mod:`awml_deploy.metrics.native3d`), or None to run the Python path.

    None when the task is not detection3d, the extension is not built, the settings are not valid (the Python
    path then reports the first error in its own order: frames before settings) or the native reader declines
    the frames file (one it cannot read, or anything it does not accept for sure, every malformed document
    included): the Python path then reads the file again.
    """
    if task != "detection3d":
        return None
    from awml_deploy.core.errors import DeployError
    from awml_deploy.metrics import native3d

    if native3d.native_module() is None:
        return None
    from awml_deploy.metrics.jsonio import load_json
    from awml_deploy.metrics.settings import parse_detection3d_settings

    try:
        settings = parse_detection3d_settings(load_json(settings_path, "settings", fast=False))
    except DeployError:
        return None
    result = native3d.evaluate_file(frames_path, settings)
    return None if result is None else result.to_json_dict()


def run(argv: list[str] | None = None) -> int:
    """Runs the CLI; returns the exit status."""
    args = _parser().parse_args(argv)
    from awml_deploy.core.errors import DeployError

    enabled = gc.isenabled()
    # Paused for the run: parsing and evaluating create no garbage cycles worth a pass, and a pass over the
    # parsed frames (a million objects at 1,000 frames) costs more than the evaluation's matching step.
    gc.disable()
    try:
        from awml_deploy.metrics.jsonio import load_json, parse_json, read_bytes

        result = None if args.crosscheck else _native_detection3d(args.task, args.frames, args.settings)
        if result is None:
            from awml_deploy.metrics import evaluate

            frames = parse_json(read_bytes(args.frames, "frames"), args.frames, "frames")
            settings = load_json(args.settings, "settings")
            result = evaluate(args.task, frames, settings).to_json_dict()
        if args.crosscheck:
            from awml_deploy.metrics.crosscheck import crosscheck

            if enabled:  # perception_eval's pure-Python objects may form cycles: collect them, not the frames
                gc.freeze()
                gc.enable()

            report = crosscheck(args.task, frames, settings, result)
            result["crosscheck"] = report
            print(
                f"crosscheck: max abs difference {report['max_abs_diff']!r} at {report['worst_path']} "
                f"(counts, AP, APH and means; APH {report['aph_variant']} yaw on both sides; "
                f"counts {'equal' if report['counts_equal'] else 'DIFFER'})"
            )
        try:
            with open(args.output, "w", encoding="utf-8") as handle:
                json.dump(result, handle, indent=1, allow_nan=False)
                handle.write("\n")
        except OSError as err:
            from awml_deploy.core.errors import fail

            fail(f"--output {args.output} | cannot write: {err.strerror}. Note: expected a writable path", cause=err)
    except DeployError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
    except Exception as err:  # noqa: BLE001 - the contract is one line, never a traceback
        print(f"error: metrics | internal error {type(err).__name__}: {err}", file=sys.stderr)
        return 1
    finally:
        if enabled:
            gc.unfreeze()
            gc.enable()
    return 0


if __name__ == "__main__":
    sys.exit(run())
