"""The Keras 2 surface around ``fit`` that ``install()`` adds to Keras 3: optimizers with
``lr``/``decay``, backend functions, Keras 1 layer signatures, ``Model(input=, output=)`` and
the module paths Keras 3 removed. Each piece is a row of ``kfitcompat.surface.SURFACE``;
importing this package patches nothing.
"""

__all__: list[str] = []
