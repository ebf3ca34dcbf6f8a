"""Golden before/after cases of the ``optimizers`` rule family
(``kfitcompat/migrate/plugins/optimizers.py``), plus must-not-change cases."""

from __future__ import annotations

import pytest

pytest.importorskip("libcst")

from kfitcompat.migrate import migrate_source  # noqa: E402

from .golden import _d, check_rewrite, check_unchanged  # noqa: E402

CASES = [
    pytest.param(
        "opt = keras.optimizers.Adam(lr=1e-3, beta_1=0.9)\n",
        "opt = keras.optimizers.Adam(learning_rate=1e-3, beta_1=0.9)\n", id="optimizer-lr"),
    pytest.param(
        "model.compile(optimizer=SGD(lr=0.01, momentum=0.9), loss='mse')\n",
        "model.compile(optimizer=SGD(learning_rate=0.01, momentum=0.9), loss='mse')\n",
        id="optimizer-lr-bare-name"),
    pytest.param(
        "opt = RMSprop(learning_rate=lr, decay=d)\n",
        _d("""
        import keras
        opt = RMSprop(learning_rate=keras.optimizers.schedules.InverseTimeDecay(lr, decay_steps=1, decay_rate=d))
        """), id="optimizer-decay-schedule-import"),  # noqa: E501
    pytest.param(
        "opt = Ftrl(decay=1e-6)\n",
        _d("""
        # kfitcompat: `decay=` is ignored by Keras 3: use keras.optimizers.schedules.InverseTimeDecay(lr, 1, decay)
        opt = Ftrl(decay=1e-6)
        """), id="optimizer-decay-manual"),
    pytest.param(
        "opt = keras.optimizers.SGD(lr=0.01, decay=1e-6)\n",
        "import keras\nopt = keras.optimizers.SGD(learning_rate=keras.optimizers.schedules.InverseTimeDecay("
        "0.01, decay_steps=1, decay_rate=1e-6))\n", id="optimizer-lr-and-decay-in-one-pass"),
    pytest.param(  # Keras 2.2.4's documented signature, copied into countless scripts
        "opt = Adam(lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=None, decay=0.0, amsgrad=False)\n",
        "opt = Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False)\n",
        id="optimizer-epsilon-none-and-zero-decay"),
    pytest.param(
        "print(float(model.optimizer.lr))\n",
        "print(float(model.optimizer.learning_rate))\n", id="optimizer-lr-attribute"),
    pytest.param(
        "opt = keras.optimizers.Adadelta()\nmodel.compile(Adagrad(epsilon=1e-6), 'mse')\n",
        "opt = keras.optimizers.Adadelta(learning_rate=1.0)\n"
        "model.compile(Adagrad(epsilon=1e-6, learning_rate=0.01), 'mse')\n",
        id="optimizer-default-rate"),
    pytest.param(
        "opt = keras.optimizers.rmsprop(lr=0.0001, decay=1e-6)\n",
        "import keras\nopt = keras.optimizers.RMSprop(learning_rate=keras.optimizers.schedules."
        "InverseTimeDecay(0.0001, decay_steps=1, decay_rate=1e-6))\n", id="optimizer-decay"),
]


MUST_NOT_CHANGE = [
    pytest.param("opt = keras.optimizers.Adam(learning_rate=1e-3)\n", id="modern-optimizer"),
    pytest.param("lr = 0.01\nsched = schedule(lr=lr)\n", id="lr-outside-optimizers"),
    pytest.param("a = Adadelta(learning_rate=0.001)\nb = Adamax(0.1)\nc = Adam()\nd = SGD()\n"
                 "e = torch.optim.Adagrad(params)\n", id="keras3-optimizer-rates"),
]


@pytest.mark.parametrize("before, after", CASES)
def test_rewrite(before, after):
    check_rewrite(before, after)


@pytest.mark.parametrize("source", MUST_NOT_CHANGE)
def test_must_not_change(source):
    check_unchanged(source)


def test_migrated_decay_is_keras2_schedule():
    """``decay=d`` becomes a schedule whose rate at step k is ``lr / (1 + d * k)``, the
    learning rate Keras 2's optimizers used (not ignored, as Keras 3 would)."""
    import keras

    new, _ = migrate_source("opt = keras.optimizers.SGD(lr=0.1, decay=0.01)\n")
    namespace: dict = {"keras": keras}
    exec(new, namespace)
    schedule = namespace["opt"]._learning_rate  # the schedule object (public: its value)
    for k in (0, 1, 10, 500):
        assert float(schedule(k)) == pytest.approx(0.1 / (1 + 0.01 * k), rel=1e-6)
