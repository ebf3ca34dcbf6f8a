"""``kfitcompat.migrate.edits``: the helpers of ``kfitcompat.keras2.portable`` that migrate writes into
a module run Keras 2's semantics on plain Keras 3."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("libcst")

from kfitcompat.migrate import migrate_source  # noqa: E402

from .golden import _d  # noqa: E402


def test_migrated_helpers_run_keras2_semantics_on_plain_keras3():
    """What migrate writes for ``K.batch_dot`` (Keras 2.2.4's capsule shapes), ``K.switch``,
    ``K.repeat``, a Sequential's ``batch_size=`` and ``model.reset_states()`` runs on
    Keras 3 alone with Keras 2's results."""
    source = _d("""
        import numpy as np
        from keras import backend as K
        from keras.models import Sequential
        from keras.layers import LSTM, Dense
        rng = np.random.default_rng(4)
        c = rng.normal(size=(2, 10, 30)).astype("float32")
        u_hat = rng.normal(size=(2, 10, 30, 16)).astype("float32")
        capsules = K.batch_dot(c, u_hat, [2, 2])
        chosen = K.switch(np.array([True, False]), np.ones((2, 3)), np.zeros((2, 3)))
        repeated = K.repeat(np.ones((2, 3), "float32"), 4)
        model = Sequential()
        model.add(LSTM(4, input_shape=(5, 1), batch_size=2, stateful=True))
        model.add(Dense(1))
        x = rng.normal(size=(2, 5, 1)).astype("float32")
        first = model.predict(x, batch_size=2, verbose=0)
        carried = model.predict(x, batch_size=2, verbose=0)
        model.reset_states()
        reset = model.predict(x, batch_size=2, verbose=0)
        """)
    new, findings = migrate_source(source)
    assert "= K.batch_dot(" not in new and "batch_size=2, stateful" not in new
    assert {f.rule for f in findings} >= {"backend-ops", "layer-batch-shape", "reset-states"}
    ns: dict = {}
    exec(compile(new, "migrated.py", "exec"), ns)  # Keras 3 alone: no kfitcompat
    np.testing.assert_allclose(ns["capsules"], np.einsum("bnk,bnkd->bnd", ns["c"], ns["u_hat"]),
                               rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(ns["chosen"], [[1, 1, 1], [0, 0, 0]])
    assert tuple(ns["repeated"].shape) == (2, 4, 3)
    assert ns["model"].inputs[0].shape == (2, 5, 1)
    assert not np.allclose(ns["first"], ns["carried"])  # the state carried over
    np.testing.assert_allclose(ns["reset"], ns["first"], rtol=1e-6)  # back to zero state
