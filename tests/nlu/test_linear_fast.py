"""bot/nlu/linear_fast.py gives scikit-learn's probabilities for one message,
for every weighting the component can be configured with, and declines the
models it does not reproduce."""

from __future__ import annotations

from typing import Any, Dict

import numpy as np
import pytest
import scipy.sparse

from bot.nlu.linear_fast import FastLinear
from bot.nlu.linear_intent import LinearIntentClassifier

WIDTHS = {"words": 40, "chars": 120, "regex": 6}


def data(seed: int, rows: int, classes: int) -> tuple[Any, np.ndarray]:
    """Sparse counts with a signal per class, so the SVMs are not trivial."""
    rng = np.random.default_rng(seed)
    width = sum(WIDTHS.values())
    y = np.arange(rows) % classes
    dense = rng.poisson(0.08, size=(rows, width)).astype(float)
    for row, label in enumerate(y):
        signal = (label * 11 + np.arange(3) * 37) % width
        dense[row, signal] += rng.integers(1, 4, 3)
    return scipy.sparse.csr_matrix(dense), y


def pipeline(config: Dict[str, Any], y: np.ndarray) -> Any:
    component = LinearIntentClassifier(
        {**LinearIntentClassifier.get_default_config(), **config}, None, None
    )
    component.block_sizes = dict(WIDTHS)
    return component._create_classifier(y)


@pytest.mark.parametrize(
    "config",
    [
        {"normalise_blocks": True, "C": 2.0},
        {"normalise_blocks": False},
        {"normalise_blocks": True, "sublinear_tf": False},
        {"normalise_blocks": True, "use_idf": False},
        {"normalise_blocks": True, "calibration_ensemble": False},
    ],
)
def test_same_probabilities_as_scikit_learn(config: Dict[str, Any]) -> None:
    x, y = data(1, 240, 8)
    model = pipeline(config, y)
    model.fit(x, y)
    fast = FastLinear.build(model)
    assert fast is not None
    test, _ = data(2, 60, 8)
    for row in test:
        if row.nnz == 0:
            continue
        expected = model.predict_proba(row)[0]
        got = fast.predict_proba(row.indices.astype(np.int64), row.data)
        assert np.allclose(got, expected, rtol=0, atol=1e-12)
        assert np.argmax(got) == np.argmax(expected)


def test_a_block_without_features_keeps_zero_weight() -> None:
    x, y = data(3, 160, 5)
    model = pipeline({"normalise_blocks": True}, y)
    model.fit(x, y)
    fast = FastLinear.build(model)
    only_regex = np.array([WIDTHS["words"] + WIDTHS["chars"] + 2])
    row = scipy.sparse.csr_matrix(
        (np.array([2.0]), only_regex, np.array([0, 1])), shape=(1, x.shape[1])
    )
    assert np.allclose(
        fast.predict_proba(only_regex, np.array([2.0])),
        model.predict_proba(row)[0],
        atol=1e-12,
    )


def test_models_it_does_not_reproduce_are_left_to_scikit_learn() -> None:
    x, y = data(4, 120, 4)
    logistic = pipeline({"classifier": "logistic"}, y)
    logistic.fit(x, y)
    assert FastLinear.build(logistic) is None
    two = y % 2
    binary = pipeline({}, two)
    binary.fit(x, two)
    assert FastLinear.build(binary) is None
    assert FastLinear.build(None) is None
