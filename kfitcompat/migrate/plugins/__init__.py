"""The migrate rule families, one module each; importing this package registers them all in
:data:`kfitcompat.migrate.base.REGISTRY` (in this order, which is the order handlers run)."""

from . import backend, callbacks, image, imports, layers, methods, optimizers, saving

__all__ = ["backend", "callbacks", "image", "imports", "layers", "methods", "optimizers",
           "saving"]
