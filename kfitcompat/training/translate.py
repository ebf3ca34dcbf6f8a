"""Pure translation of Keras 1 keyword arguments to their Keras 2/3 names.

Follows Keras 2.2.4's ``legacy_generator_methods_support`` rules: ``nb_epoch``
-> ``epochs``; ``samples_per_epoch`` -> ``steps_per_epoch`` divided by the
generator's ``batch_size`` when it has one; ``nb_val_samples`` and
``val_samples`` keep their number (a step count); giving both spellings is a
``TypeError``.
"""

from __future__ import annotations

from typing import Any

from .._warnings import warn_at_caller
from .legacy_args import legacy_args_for

__all__ = ["translate_legacy_kwargs"]


def _convert(name: str, value: Any, convert: str, generator: Any) -> Any:
    if convert == "divide_by_generator_batch_size":
        batch_size = getattr(generator, "batch_size", None)
        if isinstance(batch_size, int) and batch_size > 0:
            return value // batch_size
    return value


def drop_ignored(method: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """``kwargs`` without the Keras 0.x keywords Keras 1 ignored for ``method``
    (``show_accuracy``), each named in a warning, as Keras 1 did."""
    ignored = legacy_args_for(method, action="ignore")
    for name in [k for k in kwargs if k in ignored]:
        warn_at_caller(f"`{method}({name}=...)` was ignored by Keras 1 already and is ignored "
                       f"here. {ignored[name].note}")
    return {k: v for k, v in kwargs.items() if k not in ignored}


def translate_legacy_kwargs(
    method: str,
    given: dict[str, Any],
    legacy: dict[str, Any],
    generator: Any = None,
) -> dict[str, Any]:
    """Return ``given`` updated with the translated Keras 1 ``legacy`` kwargs.

    Args:
        method: the legacy method name (``"fit_generator"``, ...).
        given: the modern keyword arguments the caller set (those that differ
            from the signature's defaults).
        legacy: the extra keyword arguments the caller passed.
        generator: the data object, for the ``samples_per_epoch`` rule.

    Raises:
        TypeError: for an unknown keyword, or an old and a new spelling of the
            same argument given together.
    """
    renames = legacy_args_for(method, action="rename")
    ignored = legacy_args_for(method, action="ignore")
    out = dict(given)
    for name, value in drop_ignored(method, legacy).items():
        row = renames.get(name)
        if row is None:
            accepted = ", ".join(sorted({*renames, *ignored})) or "none"
            raise TypeError(
                f"{method}() got an unexpected keyword argument {name!r}. "
                f"Legacy Keras 1 keywords it accepts: {accepted}."
            )
        if row.target in given:
            raise TypeError(
                f"For the `{row.target}` argument of `{method}`, you passed both the "
                f"legacy keyword argument `{name}` and the Keras 2 keyword argument "
                f"`{row.target}`. Stick to `{row.target}`."
            )
        new_value = _convert(name, value, row.convert, generator)
        out[row.target] = new_value
        message = (
            f"`{method}({name}={value!r})` is the Keras 1 spelling: it was translated to "
            f"`{row.target}={new_value!r}`. Update the call to `{row.target}=`. {row.note}"
        )
        warn_at_caller(message.strip())
    return out

