"""``kfitcompat check`` / ``kfitcompat migrate``: find legacy Keras calls and rewrite them.

Needs LibCST (``pip install "kfitcompat[migrate]"``).
"""

from .base import RuleSelection
from .files import FileResult, Options, process_bytes, process_file, process_text
from .problems import Problem
from .transformer import KERAS3, KFITCOMPAT, Finding, migrate_source
from .walk import find_sources, iter_source_files

__all__ = ["FileResult", "Finding", "KERAS3", "KFITCOMPAT", "Options", "Problem",
           "RuleSelection", "find_sources", "iter_source_files", "migrate_source",
           "process_bytes", "process_file", "process_text"]
