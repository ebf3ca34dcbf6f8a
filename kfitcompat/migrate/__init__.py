"""``kfitcompat check`` / ``kfitcompat migrate``: find legacy Keras calls and rewrite them.

Needs LibCST (``pip install "kfitcompat[migrate]"``).
"""

from .base import RuleSelection
from .files import FileResult, iter_source_files, process_file, process_text
from .transformer import KERAS3, KFITCOMPAT, Finding, migrate_source

__all__ = ["FileResult", "Finding", "KERAS3", "KFITCOMPAT", "RuleSelection",
           "iter_source_files", "migrate_source", "process_file", "process_text"]
