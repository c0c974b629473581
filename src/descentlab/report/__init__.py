"""The offline interactive HTML report of stored runs (NOTE [offline report])."""

from descentlab.report.interactive_report import build_report, select_runs, write_report
from descentlab.report.sweep_views import sweep_figures

__all__ = ["build_report", "select_runs", "sweep_figures", "write_report"]
