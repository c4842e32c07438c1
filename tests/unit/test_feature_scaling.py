"""`scale`: how the intent classifier and the FAQ selector weigh the counts."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from bot.server.nlu.features import scale

COUNTS = np.array([[1.0, 0.0, 3.0], [0.0, 0.0, 0.0], [2.0, 2.0, 0.0]])


def scaled(counts: np.ndarray, scaling: str) -> np.ndarray:
    return scale(csr_matrix(counts), scaling).toarray()


def test_counts_are_left_as_they_are() -> None:
    matrix = csr_matrix(COUNTS)
    assert scale(matrix, "counts") is matrix
    assert (matrix.toarray() == COUNTS).all()


def test_log_counts_grow_slower_than_counts() -> None:
    logged = scaled(COUNTS, "log")
    assert logged[0, 2] == pytest.approx(np.log(4.0))
    assert logged[0, 0] == pytest.approx(np.log(2.0))


def test_each_message_gets_unit_length_and_an_empty_one_stays_empty() -> None:
    unit = scaled(COUNTS, "log_l2")
    assert np.linalg.norm(unit[0]) == pytest.approx(1.0)
    assert np.linalg.norm(unit[2]) == pytest.approx(1.0)
    assert not unit[1].any()
    assert unit[0] == pytest.approx(np.log1p(COUNTS[0]) / np.linalg.norm(np.log1p(COUNTS[0])))
    assert scaled(COUNTS[2:] * 10, "l2") == pytest.approx(scaled(COUNTS[2:], "l2"))


def test_integer_counts_become_floats() -> None:
    assert scaled(COUNTS.astype(np.int64), "l2") == pytest.approx(scaled(COUNTS, "l2"))


def test_an_unknown_scaling_is_refused() -> None:
    with pytest.raises(ValueError, match="feature_scaling"):
        scale(csr_matrix(COUNTS), "tfidf")
