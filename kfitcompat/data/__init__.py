"""Legacy data kinds (generators, iterators, Sequences) as ``tf.data`` pipelines."""

from .. import _tensorflow  # noqa: F401  (a clear error without TensorFlow)
from .batches import BatchError
from .loading import make_source
from .processes import WorkerDiedError
from .sequence import Sequence

__all__ = ["BatchError", "Sequence", "WorkerDiedError", "make_source"]
