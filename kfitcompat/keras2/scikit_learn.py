"""Keras 2's scikit-learn wrappers: ``keras.wrappers.scikit_learn.KerasClassifier`` and
``KerasRegressor`` (removed in tf.keras 2.12 and in Keras 3). Modern:
``keras.wrappers.SKLearnClassifier`` / ``SKLearnRegressor``, whose ``model=`` is a function of
``(X, y)``, or scikeras.

``KerasClassifier(build_fn=create_model, epochs=150, batch_size=10, verbose=0)`` keeps Keras
2's contract:

* the keyword arguments (``sk_params``) must be parameters of Keras 2's ``fit``,
  ``predict``, ``predict_classes`` or ``evaluate``, or of ``build_fn`` (a function, an object
  with ``__call__``, or a subclass's own ``__call__`` when ``build_fn`` is ``None``); each
  call gets the ones its function takes;
* ``get_params`` / ``set_params``, so ``clone``, ``cross_val_score`` and ``GridSearchCV``
  work as they did;
* ``fit`` builds a new model with ``build_fn`` every time; a 1-D ``y`` of a model compiled
  with ``categorical_crossentropy`` is one-hot encoded; the classifier's ``classes_`` are
  ``np.unique(y)`` (or the columns of a one-hot ``y``);
* ``score`` is the accuracy for a classifier and minus the loss for a regressor.

Training goes through kfitcompat's legacy ``fit`` (so ``workers=`` and the other Keras 2
arguments keep their meaning); prediction and evaluation through Keras 3's own methods.
Keras 1's ``nb_epoch`` trains that many epochs, as Keras 1's wrapper did (Keras 2.x accepted it
and then dropped it silently, training one epoch).
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _upstream
from ..legacy.api import parameters

__all__ = ["BaseWrapper", "KerasClassifier", "KerasRegressor"]

#: The Keras 2 methods whose parameters an sk_param may name, and the subset each call takes.
_FIT, _PREDICT, _CLASSES, _PROBA, _EVALUATE = (
    "keras.Model.fit", "keras.Model.predict", "keras.Sequential.predict_classes",
    "keras.Sequential.predict_proba", "keras.Model.evaluate")
#: What Keras 3's ``Model.evaluate`` / ``predict`` take of Keras 2's arguments for arrays (the
#: loading arguments, ``workers=`` & co., have no meaning there).
_KERAS3_ARRAY_ARGS = frozenset({"batch_size", "verbose", "sample_weight", "steps", "callbacks"})


def _takes(fn: Callable[..., Any], name: str) -> bool:
    """Whether ``fn`` has a parameter ``name`` by name (``**kwargs`` does not count, as in
    Keras 2's ``has_arg``)."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    param = params.get(name)
    return param is not None and param.kind in (param.POSITIONAL_OR_KEYWORD,
                                                 param.KEYWORD_ONLY)


def _is_categorical_crossentropy(loss: Any) -> bool:
    import keras

    return (loss == "categorical_crossentropy"
            or isinstance(loss, keras.losses.CategoricalCrossentropy)
            or getattr(loss, "__name__", None) == "categorical_crossentropy"
            or getattr(getattr(loss, "fn", None), "__name__", None) == "categorical_crossentropy")


def _predict(model: Any, x: Any, kwargs: dict[str, Any]) -> np.ndarray:
    """``model.predict(x)``; no samples give an empty array of the output's shape (Keras 2's
    answer; Keras 3's ``predict`` fails on them)."""
    if hasattr(x, "__len__") and len(x) == 0:
        return np.zeros((0, *tuple(model.outputs[0].shape)[1:]), "float32")
    return np.asarray(_upstream.model_predict(model, x, **kwargs))


class BaseWrapper:
    """Keras 2 ``keras.wrappers.scikit_learn.BaseWrapper``: ``build_fn`` and ``sk_params``."""

    model: Any

    def __init__(self, build_fn: Callable[..., Any] | None = None, **sk_params: Any) -> None:
        self.build_fn = build_fn
        self.sk_params = sk_params
        self.check_params(sk_params)

    def _builder(self) -> Callable[..., Any]:
        """What builds the model: ``build_fn``, its ``__call__``, or this object's own."""
        if self.build_fn is None:  # a subclass defines __call__
            return getattr(self, "__call__")  # noqa: B004, B009 - a subclass method
        if not isinstance(self.build_fn, (types.FunctionType, types.MethodType)):
            return getattr(self.build_fn, "__call__")  # noqa: B004, B009 - the object's method
        return self.build_fn

    def check_params(self, params: dict[str, Any]) -> None:
        """Raise ``ValueError`` for a name no Keras 2 training method and no ``build_fn`` takes."""
        legal = {*parameters(_FIT), *parameters(_PREDICT), *parameters(_CLASSES),
                 *parameters(_EVALUATE)}
        builder = self._builder()
        for name in params:
            if name not in legal and not _takes(builder, name):
                raise ValueError(f"{name} is not a legal parameter: `{type(self).__name__}` "
                                 "takes the arguments of build_fn and of Keras 2's fit, "
                                 "predict, predict_classes and evaluate")

    def get_params(self, **params: Any) -> dict[str, Any]:
        """``sk_params`` and ``build_fn`` (scikit-learn's ``clone`` rebuilds from them). The
        values themselves, not Keras 2's deep copies: scikit-learn 0.24+ refuses to clone an
        estimator whose parameters come back as other objects (``callbacks=[...]``)."""
        return {**self.sk_params, "build_fn": self.build_fn}

    def __sklearn_tags__(self) -> Any:
        """scikit-learn 1.6+ asks every estimator for its tags. No estimator type, as Keras 2's
        wrappers had none (so ``cv=5`` splits with ``KFold``, as it did for them)."""
        from sklearn.utils import Tags, TargetTags

        return Tags(estimator_type=None, target_tags=TargetTags(required=True))

    def set_params(self, **params: Any) -> BaseWrapper:
        self.check_params(params)
        self.sk_params.update(params)
        return self

    def __sklearn_is_fitted__(self) -> bool:
        """Fitted once ``fit`` built the model (a ``Pipeline`` asks before scoring)."""
        return hasattr(self, "model")

    def filter_sk_params(self, fn: Callable[..., Any] | str,
                         override: dict[str, Any] | None = None) -> dict[str, Any]:
        """The ``sk_params`` ``fn`` takes (a Keras 2 method given by its table path), then
        ``override``."""
        if isinstance(fn, str):
            takes = set(parameters(fn))
            found = {k: v for k, v in self.sk_params.items() if k in takes}
        else:
            found = {k: v for k, v in self.sk_params.items() if _takes(fn, k)}
        found.update(override or {})
        return found

    def fit(self, x: Any, y: Any, **kwargs: Any) -> Any:
        """Build a new model with ``build_fn`` and train it; returns the ``History``."""
        from ..training import fit

        builder = self._builder()
        self.model = builder(**self.filter_sk_params(builder))
        y = np.asarray(y)
        if _is_categorical_crossentropy(getattr(self.model, "loss", None)) and y.ndim != 2:
            y = _upstream.to_categorical(y)
        fit_args = {k: v for k, v in self.filter_sk_params(_FIT).items() if k not in ("x", "y")}
        fit_args.update(kwargs)
        return fit(self.model, x, y, **fit_args)

    def _array_args(self, path: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in self.filter_sk_params(path, kwargs).items()
                if k in _KERAS3_ARRAY_ARGS}


class KerasClassifier(BaseWrapper):
    """Keras 2 ``KerasClassifier``; modern: ``keras.wrappers.SKLearnClassifier``."""

    classes_: np.ndarray
    n_classes_: int

    def fit(self, x: Any, y: Any, sample_weight: Any = None, **kwargs: Any) -> Any:
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] > 1:
            self.classes_ = np.arange(y.shape[1])
        elif y.ndim == 1 or y.ndim == 2 and y.shape[1] == 1:
            self.classes_ = np.unique(y)
            y = np.searchsorted(self.classes_, y)
        else:
            raise ValueError(f"Invalid shape for y: {y.shape} (KerasClassifier takes class "
                             "labels of shape (n,) or (n, 1), or one-hot rows of shape (n, k))")
        self.n_classes_ = len(self.classes_)
        if sample_weight is not None:
            kwargs["sample_weight"] = sample_weight
        return super().fit(x, y, **kwargs)

    def predict(self, x: Any, **kwargs: Any) -> np.ndarray:
        """The class labels: arg-max of a multi-unit output, ``output > 0.5`` for one unit."""
        proba = _predict(self.model, x, self._array_args(_CLASSES, kwargs))
        classes = proba.argmax(axis=-1) if proba.shape[-1] > 1 else (proba > 0.5).astype("int32")
        return self.classes_[classes]

    def predict_proba(self, x: Any, **kwargs: Any) -> np.ndarray:
        """One column per class (a one-unit output gives ``[1 - p, p]``)."""
        probs = _predict(self.model, x, self._array_args(_PROBA, kwargs))
        if probs.shape[1] == 1:
            probs = np.hstack([1 - probs, probs])
        return probs

    def score(self, x: Any, y: Any, **kwargs: Any) -> float:
        """The accuracy the model was compiled to compute (``metrics=['accuracy']``)."""
        y = np.searchsorted(self.classes_, np.asarray(y))
        if _is_categorical_crossentropy(getattr(self.model, "loss", None)) and y.ndim != 2:
            y = _upstream.to_categorical(y, num_classes=self.n_classes_)
        logs = _upstream.model_evaluate(self.model, x, y, return_dict=True,
                                        **self._array_args(_EVALUATE, kwargs))
        for name in ("accuracy", "acc"):
            if name in logs:
                return float(logs[name])
        raise ValueError("The model is not configured to compute accuracy. You should pass "
                         "`metrics=[\"accuracy\"]` to the `model.compile()` method.")


class KerasRegressor(BaseWrapper):
    """Keras 2 ``KerasRegressor``; modern: ``keras.wrappers.SKLearnRegressor``."""

    def predict(self, x: Any, **kwargs: Any) -> np.ndarray:
        """The predictions, a one-unit output squeezed to shape ``(n,)``."""
        preds = _predict(self.model, x, self._array_args(_PREDICT, kwargs))
        return np.squeeze(preds, axis=-1) if preds.shape[-1] == 1 else preds

    def score(self, x: Any, y: Any, **kwargs: Any) -> float:
        """Minus the loss (scikit-learn maximises a score)."""
        logs = _upstream.model_evaluate(self.model, x, y, return_dict=True,
                                        **self._array_args(_EVALUATE, kwargs))
        return -float(logs["loss"])
