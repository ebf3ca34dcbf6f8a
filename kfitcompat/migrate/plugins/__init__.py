"""The migrate rule families, one module each; importing this package registers them all in
``kfitcompat.migrate.base.REGISTRY`` (in this order, which is the order handlers run).
``api_table`` only reports the Keras 2 rows no other family handled, so it comes last."""

from . import (
    backend,
    callbacks,
    history,
    image,
    imports,
    layers,
    methods,
    optimizers,
    recurrent,
    saving,
)

# isort: split
from . import api_table  # last: it reports what the other families left

__all__ = ["api_table", "backend", "callbacks", "history", "image", "imports", "layers",
           "methods", "optimizers", "recurrent", "saving"]
