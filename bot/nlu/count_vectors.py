"""Count-vector features that keep Thai tokens whole.

Rasa 3.6's ``CountVectorsFeaturizer`` hard-codes the word pattern
``(?u)\\b\\w+\\b``. Python's ``\\w`` does not match Thai vowel and tone marks,
so ``ได้`` would become ``ได`` and ``สำนักงาน`` would become ``สำน`` + ``กงาน``.
This subclass makes the word analyzer treat each token from the tokenizer as
one term (``\\S+``); the char_wb analyzer is unchanged.
"""

from __future__ import annotations

from typing import Any, Dict, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from sklearn.feature_extraction.text import CountVectorizer

WHOLE_TOKEN_PATTERN = r"(?u)\S+"


def _keep_tokens_whole(
    vectorizers: Dict[Text, CountVectorizer], parameters: Dict[Text, Any]
) -> Dict[Text, CountVectorizer]:
    if parameters["analyzer"] == "word":
        for vectorizer in vectorizers.values():
            vectorizer.token_pattern = WHOLE_TOKEN_PATTERN
    return vectorizers


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True
)
class ThaiCountVectorsFeaturizer(CountVectorsFeaturizer):
    """``CountVectorsFeaturizer`` whose word analyzer keeps Thai tokens whole."""

    @classmethod
    def _create_shared_vocab_vectorizers(
        cls, parameters: Dict[Text, Any], vocabulary: Any = None
    ) -> Dict[Text, CountVectorizer]:
        vectorizers = super()._create_shared_vocab_vectorizers(parameters, vocabulary)
        return _keep_tokens_whole(vectorizers, parameters)

    @classmethod
    def _create_independent_vocab_vectorizers(
        cls, parameters: Dict[Text, Any], vocabulary: Any = None
    ) -> Dict[Text, CountVectorizer]:
        vectorizers = super()._create_independent_vocab_vectorizers(
            parameters, vocabulary
        )
        return _keep_tokens_whole(vectorizers, parameters)
