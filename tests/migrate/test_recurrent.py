"""``rnn([x, *initial_states])`` -> ``rnn(x, initial_state=[...])`` (plugins/recurrent.py)."""

from __future__ import annotations

import pytest

pytest.importorskip("libcst")

from kfitcompat.migrate import migrate_source  # noqa: E402

from .golden import _d  # noqa: E402


def test_initial_states_in_the_input_list_become_initial_state():
    """Keras 2's ``lstm([x, h0, c0])`` -> ``lstm(x, initial_state=[h0, c0])`` with a note on
    masking, for the constructor's call and a name bound to one; anything else as it is."""
    source = _d("""
        from keras.layers import LSTM
        decoder = LSTM(8, return_state=True)
        out, h, c = decoder([inputs, state_h, state_c])
        y = LSTM(4)([x, h0], training=True)
        z = other([a, b])
        w = LSTM(4)([x])
        """)
    new, findings = migrate_source(source)
    assert "decoder(inputs, initial_state=[state_h, state_c])" in new
    assert "LSTM(4)(x, initial_state=[h0], training=True)" in new
    assert "other([a, b])" in new and "LSTM(4)([x])" in new
    assert new.count("# kfitcompat: Keras 3 passes no mask") == 2
    assert [f.rule for f in findings].count("rnn-initial-states") == 2
    assert migrate_source(new)[0] == new
    kept, _ = migrate_source(source, target="kfitcompat")
    assert "decoder([inputs, state_h, state_c])" in kept  # install() answers it, mask and all


def test_migrated_initial_states_run_on_plain_keras3():
    source = _d("""
        import numpy as np
        from tensorflow.keras.layers import Input, LSTM
        from tensorflow.keras.models import Model
        x, h0, c0 = Input((5, 3)), Input((4,)), Input((4,))
        lstm = LSTM(4)
        model = Model([x, h0, c0], lstm([x, h0, c0]))
        out = model.predict([np.ones((2, 5, 3)), np.zeros((2, 4)), np.zeros((2, 4))], verbose=0)
        """)
    new, _ = migrate_source(source)
    ns: dict = {}
    exec(compile(new, "migrated.py", "exec"), ns)  # Keras 3 alone: no kfitcompat
    assert ns["out"].shape == (2, 4)
