"""``kfitcompat.migrate.transformer``: what runs the rule families, not one of them: suppression
comments, report-only mode, the target."""

from __future__ import annotations

import textwrap

import pytest

pytest.importorskip("libcst")

from kfitcompat.migrate import KERAS3, KFITCOMPAT, migrate_source  # noqa: E402

from .golden import _d  # noqa: E402


def test_an_ignore_comment_counts_only_as_a_comment_not_inside_a_string():
    source = textwrap.dedent("""\
        note = "model.fit_generator(g, 3)  # kfitcompat: ignore"
        model.fit_generator(g, 3, log="  # kfitcompat: ignore")
        model.fit_generator(g, 3)  # kfitcompat: ignore
        model.fit_generator(g, 4,
                            nb_epoch=2)  # kfitcompat: ignore[nb_epoch]
        """)
    out, findings = migrate_source(source)
    assert out.splitlines() == [
        'note = "model.fit_generator(g, 3)  # kfitcompat: ignore"',
        'model.fit(g, steps_per_epoch=3, log="  # kfitcompat: ignore")',
        "model.fit_generator(g, 3)  # kfitcompat: ignore",
        "model.fit(g, steps_per_epoch=4,",
        "                    nb_epoch=2)  # kfitcompat: ignore[nb_epoch]",
    ]
    assert [(f.line, f.rule) for f in findings] == [(2, "fit_generator"), (4, "fit_generator")]


def test_check_only_reports_with_line_and_column():
    source = "x = 1\nmodel.fit_generator(g, nb_epoch=2)\n"
    new, findings = migrate_source(source, rewrite=False)
    assert new == source
    assert [(f.line, f.col, f.rule, f.changed) for f in findings] == [
        (2, 1, "fit_generator", False), (2, 1, "nb_epoch", False)]


def test_target_kfitcompat_is_the_minimal_edit():
    source = _d("""
        \"\"\"A legacy script.\"\"\"
        import numpy as np
        from keras.preprocessing.image import ImageDataGenerator
        from keras.optimizers import SGD

        model.compile(SGD(lr=0.1), "mse")
        model.fit_generator(ImageDataGenerator().flow(x, y), samples_per_epoch=64, nb_epoch=2)
        """)
    new, _ = migrate_source(source, KFITCOMPAT)
    assert new == _d("""
        \"\"\"A legacy script.\"\"\"
        import numpy as np
        import kfitcompat
        kfitcompat.install()
        from keras.preprocessing.image import ImageDataGenerator
        from keras.optimizers import SGD

        model.compile(SGD(learning_rate=0.1), "mse")
        model.fit_generator(ImageDataGenerator().flow(x, y), samples_per_epoch=64, nb_epoch=2)
        """)
    assert migrate_source(new, KFITCOMPAT)[0] == new
    assert migrate_source("x = 1\n", KFITCOMPAT)[0] == "x = 1\n"  # nothing legacy: no install


def test_keras3_is_the_default_target():
    assert KERAS3 == "keras3"
    assert migrate_source("m.fit_generator(g, 1)\n")[0] == "m.fit(g, steps_per_epoch=1)\n"
