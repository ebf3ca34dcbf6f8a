"""Tests of ``kfitcompat.migrate``: ``test_<plugin>.py`` per rule family of ``plugins/``, and one
file per module around them (``test_transformer.py``, ``test_augment.py``, ...).

A package (the other test folders are not): its module names may repeat those of another
folder (``test_history.py`` is in ``training/`` too), and the golden-case helpers it shares
(``golden.py``) get pytest's assertion messages.
"""

import pytest

pytest.register_assert_rewrite(f"{__name__}.golden")
