"""The feature matrix of the two classifiers (intent, FAQ topic), built directly.

Rasa's logistic-regression classifier gets it through `Message.get_sparse_features`,
which also combines the per-token (sequence) features of every featurizer, deep-copying
a tokens-by-vocabulary matrix per message only to throw it away, then stacks the result
again with an empty dense block. That was half of the NLU's time per message. Here the
sentence-level features are stacked once, in the same column order (sparse features in the
order the featurizers added them, then dense ones), so a model trained either way reads it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import coo_matrix, csr_matrix

# How the classifiers weigh the counts (`feature_scaling`): raw counts (Rasa's), their
# logarithm (log(1 + count): the tenth repetition of a word adds less than the first), and
# each scaled to unit length per message (a long story weighs no more than a short
# request; without it its many n-grams make every score extreme).
SCALINGS = ("counts", "log", "l2", "log_l2")


def with_text(messages: list[Message]) -> list[Message]:
    """The messages the classifiers judge: those with text. An empty message has no
    features to classify (Rasa's classifier crashes on it); `MessageGuard` gives it an
    intent."""
    return [message for message in messages if (message.get(TEXT) or "").strip()]


def _sentence_blocks(message: Message) -> list[Any]:
    """The sentence features of the message's text: sparse ones in the order the
    featurizers added them, then dense ones."""
    sentence = [
        feature
        for feature in message.features
        if feature.attribute == TEXT and feature.type == FEATURE_TYPE_SENTENCE
    ]
    blocks = [f.features for f in sentence if f.is_sparse()]
    return blocks + [coo_matrix(f.features) for f in sentence if f.is_dense()]


def sentence_matrix(messages: list[Message], scaling: str = "counts") -> csr_matrix:
    """One row per message: the sentence features of its text, side by side, weighted as
    `scaling` says (`scale`). Assembled from the blocks' coordinates (scipy's `hstack`
    and `vstack` went through `bmat`, with several conversions per one-row block, for
    every message)."""
    data: list[np.ndarray] = []
    columns: list[np.ndarray] = []
    row_pointers = [0]
    width: int | None = None
    for message in messages:
        offset = stored = 0
        for block in _sentence_blocks(message):
            block = block.tocoo()
            if block.shape[0] != 1:
                raise ValueError("a sentence feature has one row")
            data.append(block.data)
            columns.append(block.col.astype(np.int64) + offset)
            offset += block.shape[1]
            stored += block.nnz
        row_pointers.append(row_pointers[-1] + stored)
        if width is not None and offset != width:
            raise ValueError("the messages' sentence features differ in width")
        width = offset
    matrix = csr_matrix(
        (
            np.concatenate(data) if data else np.zeros(0),
            np.concatenate(columns) if columns else np.zeros(0, dtype=np.int64),
            np.array(row_pointers, dtype=np.int64),
        ),
        shape=(len(messages), width or 0),
    )
    matrix.sum_duplicates()
    return scale(matrix, scaling)


def column_major(classifier: Any) -> Any:
    """The linear model with its coefficients stored column-major. scikit-learn scores a
    sparse row against `coef_.T`; with `coef_` row-major (as trained or loaded) scipy
    first copies the whole classes-by-vocabulary matrix to make it contiguous, for every
    message (4 ms on a 60,000-column vocabulary, against 0.07 ms without the copy). The
    values are the same, so are the scores."""
    coefficients = getattr(classifier, "coef_", None)
    if coefficients is not None and not coefficients.flags["F_CONTIGUOUS"]:
        classifier.coef_ = np.asfortranarray(coefficients)
    return classifier


def scale(matrix: csr_matrix, scaling: str) -> csr_matrix:
    """Weigh the feature matrix as `scaling` (one of `SCALINGS`) says, in place (its data
    array is its own: `sentence_matrix` has just built it). Computed on the CSR arrays:
    building another matrix (scipy's format checks) or scikit-learn's `normalize` cost
    0.1 to 0.15 ms a message, more than the arithmetic."""
    if scaling not in SCALINGS:
        raise ValueError(f"feature_scaling must be one of {', '.join(SCALINGS)}: {scaling!r}")
    if scaling == "counts":
        return matrix
    data = matrix.data
    if data.dtype != np.float64:
        matrix.data = data = data.astype(np.float64)
    if scaling.startswith("log"):
        np.log1p(data, out=data)
    if scaling.endswith("l2"):
        lengths = np.diff(matrix.indptr)
        squares = np.zeros(len(lengths))
        rows = lengths > 0
        squares[rows] = np.add.reduceat(data * data, matrix.indptr[:-1][rows])
        norms = np.sqrt(squares)
        norms[norms == 0] = 1.0
        data /= np.repeat(norms, lengths)
    return matrix
