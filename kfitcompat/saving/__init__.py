"""Legacy model files (Keras 1, Keras 2, tf.keras 2.x ``.h5`` and ``to_json()``) on Keras 3.

After ``kfitcompat.install``, ``keras.models.load_model``, ``Model.load_weights`` and
``keras.models.model_from_json`` read them with the meaning they had (``.loading``);
``kfitcompat convert OLD.h5 NEW.keras`` writes them once as native Keras 3 files
(``.convert``). Importing this package patches nothing.
"""

from __future__ import annotations

from .h5_configs import LegacyFileError
from .loading import LegacyFileWarning, build_legacy_model, load_legacy_model

__all__ = ["LegacyFileError", "LegacyFileWarning", "build_legacy_model", "load_legacy_model"]
