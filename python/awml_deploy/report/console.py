"""The one-screen summary printed at the end of a run."""

from __future__ import annotations


def summary_lines(report: dict, report_json: str | None = None) -> list[str]:
    """Short summary: verdict, gates, primary metrics and mean latency, report paths.

    Args:
        report (dict): The report.json content.
        report_json (str | None): Where report.json was written. Defaults to not shown.

    Returns:
        list[str]: Lines to print.
    """
    verdict = "PASSED" if report["passed"] else "FAILED"
    lines = [
        f"awml-deploy {report.get('project') or ''} [{report['export_mode']}] {verdict} (exit {report['exit_code']})"
    ]
    if report.get("error"):
        lines.append(f"  error: {report['error']}")
    for gate in report["gates"]:
        mark = {"passed": "ok  ", "failed": "FAIL", "skipped": "skip"}.get(gate["status"], gate["status"])
        lines.append(f"  [{mark}] {gate['name']}" + (f" — {gate['reason']}" if gate["reason"] else ""))
    for backend, entry in report["evaluation"].items():
        if entry.get("status") == "passed":
            metric, total = entry["primary_metric"], entry["latency"].get("total_ms", {})
            value = "n/a" if metric["value"] is None else f"{metric['value']:.4f}"
            lines.append(
                f"  {backend}@{entry['device']}: {metric['name']}={value} latency {total.get('mean', float('nan')):.2f} ms"
            )
    if report_json:
        lines.append(f"  report: {report_json}")
    return lines
