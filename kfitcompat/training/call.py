"""One legacy call, bound once.

Every legacy entry point (``fit_generator``, ``evaluate_generator``, ``predict_generator``,
``fit``, and the ``install()``ed ``Model.evaluate`` / ``predict``) turns its arguments into
one frozen ``LegacyCall`` through ``bind``: the defaults are the real signature's
(``inspect.signature``), the Keras 1 spellings (``nb_epoch``, ``nb_worker``, ...) are renamed
by ``kfitcompat.legacy_table``, the loading options become one validated ``LoadingOptions``
and each data argument is classified once into a ``LegacyData``. The layers below read this
value; none of them restates a default, a rename or a data kind.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, ParamSpec

from ..data.dispatch import LegacyData, classify
from ..data.loading import LoadingOptions
from ..legacy_table import LOADING_DEFAULTS
from .translate import translate_legacy_kwargs

__all__ = ["LegacyCall", "bind", "legacy_entry"]

P = ParamSpec("P")


@dataclass(frozen=True)
class LegacyCall:
    """A legacy call's arguments, translated and validated once.

    ``data`` / ``validation``: the data argument and ``validation_data`` (``None`` when not
    given), classified; ``loading``: ``workers``, ``max_queue_size``,
    ``use_multiprocessing``; ``arguments``: every other parameter by name (read-only), with
    the signature's default where the caller gave none.
    """

    method: str
    model: Any
    data: LegacyData
    validation: LegacyData | None
    loading: LoadingOptions
    arguments: Mapping[str, Any]

    def __post_init__(self) -> None:
        object.__setattr__(self, "arguments", MappingProxyType(dict(self.arguments)))

    def __getitem__(self, name: str) -> Any:
        return self.arguments[name]

    @property
    def validation_data(self) -> Any:
        """``validation_data`` as the caller gave it (``None`` when not given)."""
        return self.validation.value if self.validation is not None else None

    def others(self, *names: str) -> dict[str, Any]:
        """The arguments other than ``names``, as keyword arguments for a call below."""
        return {k: v for k, v in self.arguments.items() if k not in names}


def bind(method: str, signature: inspect.Signature, args: tuple[Any, ...],
         kwargs: Mapping[str, Any], *, data: str, legacy: bool = True) -> LegacyCall:
    """``args`` / ``kwargs`` bound to ``signature`` (its first parameter is the model) as
    one ``LegacyCall``.

    ``data``: the name of the data parameter. ``legacy``: the signature's ``**kwargs`` are
    Keras 1 spellings, renamed by the table (else they are passed on as they are).

    Raises:
        TypeError: an argument the signature does not take, an unknown Keras 1 spelling,
            or an old and a new spelling of one argument together.
        ValueError: a loading option out of range (naming it and what is accepted).
    """
    bound = signature.bind(*args, **kwargs)
    params = signature.parameters
    var_kw = next((p.name for p in params.values() if p.kind is p.VAR_KEYWORD), None)
    extra = bound.arguments.pop(var_kw, {}) if var_kw is not None else {}
    given = dict(bound.arguments)  # what the caller wrote, before the defaults
    bound.apply_defaults()
    values = {k: v for k, v in bound.arguments.items() if k != var_kw}
    model = values.pop(next(iter(params)))
    data_arg = classify(values.pop(data))
    if legacy and extra:
        explicit = {k: v for k, v in given.items() if k in values}
        values.update(translate_legacy_kwargs(method, explicit, extra, data_arg.value))
    else:
        values.update(extra)
    loading = LoadingOptions(**{n: values.pop(n) for n in LOADING_DEFAULTS if n in values})
    validation = values.pop("validation_data", None)
    return LegacyCall(method, model, data_arg,
                      classify(validation) if validation is not None else None,
                      loading, values)


def legacy_entry(method: str, *, data: str, run: Callable[[LegacyCall], Any]
                 ) -> Callable[[Callable[P, Any]], Callable[P, Any]]:
    """Declare a legacy entry point by its signature: the decorated function's parameters
    and docstring are the public API (its body is not run); a call binds them into one
    ``LegacyCall`` and hands it to ``run``."""

    def declare(func: Callable[P, Any]) -> Callable[P, Any]:
        signature = inspect.signature(func)

        @functools.wraps(func)
        def entry(*args: P.args, **kwargs: P.kwargs) -> Any:
            return run(bind(method, signature, args, kwargs, data=data))

        return entry

    return declare
