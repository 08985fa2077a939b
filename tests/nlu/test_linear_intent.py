"""BlockTfidf: the linear intent classifier's per-featurizer weighting."""

from __future__ import annotations

import numpy as np
import scipy.sparse

from bot.nlu.linear_intent import BlockTfidf


def test_each_block_gets_unit_length() -> None:
    counts = scipy.sparse.csr_matrix(
        np.array([[1, 0, 3, 5, 0], [0, 2, 1, 0, 7], [4, 4, 0, 1, 1]], dtype=float)
    )
    weighted = BlockTfidf([2, 3]).fit_transform(counts).toarray()
    assert weighted.shape == (3, 5)
    for block in (weighted[:, :2], weighted[:, 2:]):
        assert np.allclose(np.linalg.norm(block, axis=1), 1.0)


def test_an_empty_block_stays_zero() -> None:
    train = scipy.sparse.csr_matrix(np.array([[1, 0, 2], [0, 1, 1]], dtype=float))
    model = BlockTfidf([2, 1]).fit(train)
    row = model.transform(scipy.sparse.csr_matrix(np.array([[0, 0, 3]], dtype=float)))
    assert np.allclose(row.toarray(), [[0, 0, 1]])
