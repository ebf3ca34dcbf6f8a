"""The migrate rule families, one module each; importing this package registers them all in
``kfitcompat.migrate.base.REGISTRY`` (in this order, which is the order handlers run).
``api_table`` only reports (the Keras 2 rows no other family rewrites), so its place in the
order changes no rewrite."""

from . import (
    api_table,
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

__all__ = ["api_table", "backend", "callbacks", "history", "image", "imports", "layers",
           "methods", "optimizers", "recurrent", "saving"]
