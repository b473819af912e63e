"""Run reports: report.json (complete), report.md (readable) and the console summary."""

from awml_deploy.report.console import summary_lines
from awml_deploy.report.json_report import SCHEMA, RunRecord, build_report
from awml_deploy.report.markdown import render_markdown

__all__ = ["SCHEMA", "RunRecord", "build_report", "render_markdown", "summary_lines"]
