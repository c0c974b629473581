"""HTML pages built from what runs wrote (figures and their captions)."""

from descentlab.report.index_page import write_index

__all__ = ["write_index"]
