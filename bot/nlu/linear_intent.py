"""A linear intent classifier over the pipeline's sparse features.

Rasa's ``SklearnIntentClassifier`` needs dense features; this bot's
featurizers (count vectors, regex, lexical-syntactic) are all sparse. This
component stacks each message's sparse sentence features (optionally, for a
featurizer that has none, the sum of its sequence features) into a
``scipy.sparse`` matrix, weighs it with TF-IDF (sublinear tf, idf from the
training data, L2 row norm) and fits a linear model: by default ``LinearSVC``
wrapped in ``CalibratedClassifierCV`` (sigmoid), or ``LogisticRegression``.
The probabilities are what ``FallbackClassifier`` thresholds, so they are
calibrated, not raw SVM margins. Trains in seconds where DIET takes minutes.

Output is DIET's shape: ``intent`` = ``{"name", "confidence"}`` and
``intent_ranking`` = up to ``ranking_length`` of those, best first.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any, Dict, List, Optional, Text, Tuple, Type

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers import LABEL_RANKING_LENGTH
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.utils.tensorflow.constants import FEATURIZERS

from bot.nlu.linear_fast import FastLinear

logger = logging.getLogger(__name__)

MODEL_FILE = "linear_intent.joblib"


class BlockTfidf:
    """TF-IDF with its own idf and L2 row norm for each block of columns
    (one block per featurizer); a scikit-learn transformer."""

    def __init__(
        self, widths: List[int], use_idf: bool = True, sublinear_tf: bool = True
    ) -> None:
        self.widths = widths
        self.use_idf = use_idf
        self.sublinear_tf = sublinear_tf

    def get_params(self, deep: bool = True) -> Dict[Text, Any]:
        return {
            "widths": self.widths,
            "use_idf": self.use_idf,
            "sublinear_tf": self.sublinear_tf,
        }

    def set_params(self, **params: Any) -> BlockTfidf:
        for key, value in params.items():
            setattr(self, key, value)
        return self

    def _slices(self) -> List[slice]:
        edges = np.cumsum([0, *self.widths])
        return [slice(a, b) for a, b in zip(edges[:-1], edges[1:], strict=True)]

    def fit(self, x: Any, y: Any = None) -> BlockTfidf:
        from sklearn.feature_extraction.text import TfidfTransformer

        x = scipy.sparse.csc_matrix(x)
        self.transformers_ = [
            TfidfTransformer(use_idf=self.use_idf, sublinear_tf=self.sublinear_tf).fit(
                x[:, part]
            )
            for part in self._slices()
        ]
        return self

    def transform(self, x: Any) -> scipy.sparse.csr_matrix:
        x = scipy.sparse.csc_matrix(x)
        return scipy.sparse.hstack(
            [
                t.transform(x[:, part])
                for t, part in zip(self.transformers_, self._slices(), strict=True)
            ]
        ).tocsr()

    def fit_transform(self, x: Any, y: Any = None) -> scipy.sparse.csr_matrix:
        return self.fit(x, y).transform(x)


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True
)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    """A calibrated linear classifier on sparse sentence features."""

    @classmethod
    def required_components(cls) -> List[Type]:
        """Needs at least one sparse featurizer before it."""
        return [SparseFeaturizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """The component's default config."""
        return {
            # "linear_svc": LinearSVC with sigmoid-calibrated probabilities
            # (CalibratedClassifierCV); "logistic": multinomial logistic
            # regression, whose probabilities need no calibration.
            "classifier": "linear_svc",
            # Inverse regularisation strength.
            "C": 1.0,
            # Folds for the probability calibration of "linear_svc".
            "calibration_folds": 5,
            # True: the calibrated model averages one SVM per fold (each fit
            # on the other folds). False: one SVM fit on all the data, its
            # sigmoid calibrated on out-of-fold decision values.
            "calibration_ensemble": True,
            # Also use featurizers that have only sequence features (summed
            # over the tokens), e.g. LexicalSyntacticFeaturizer.
            "use_sequence_sums": False,
            # "balanced" weighs rare intents up; None treats examples alike.
            "class_weight": "balanced",
            # TF-IDF weighting of the counts (idf fitted on the training
            # data, rows scaled to unit L2 norm); 1 + log(tf) if sublinear.
            "use_idf": True,
            "sublinear_tf": True,
            # True: TF-IDF and the L2 norm per featurizer block (word counts,
            # char n-grams, regex matches each get unit length), so the many
            # char n-grams do not drown the word features. False: one TF-IDF
            # and one norm over the whole stacked row.
            "normalise_blocks": False,
            "max_iter": 2000,
            "ranking_length": LABEL_RANKING_LENGTH,
            # Featurizer names to use; empty = all.
            FEATURIZERS: [],
            "random_seed": 42,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Optional[Dict[Text, Any]] = None,
    ) -> None:
        """Creates the component, trained if ``model`` is given."""
        self.component_config = config
        self._model_storage = model_storage
        self._resource = resource
        self.clf = model["clf"] if model else None
        self.labels: List[Text] = list(model["labels"]) if model else []
        # Width of each featurizer's block, fixed at training time, so that a
        # message missing one block still gets a row of the right width.
        self.block_sizes: Dict[Text, int] = dict(model["blocks"]) if model else {}
        # The same arithmetic without scikit-learn's per-call overhead, when
        # the fitted model is one it reproduces (bot/nlu/linear_fast.py).
        self.fast = FastLinear.build(self.clf) if self.clf is not None else None

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        """Creates a new untrained component."""
        return cls(config, model_storage, resource)

    @staticmethod
    def required_packages() -> List[Text]:
        """Python packages this component needs."""
        return ["sklearn", "scipy", "joblib"]

    # ------------------------------------------------------------- features
    def _blocks(self, message: Message) -> Dict[Text, scipy.sparse.csr_matrix]:
        """One sparse row per featurizer: its sentence features, or the sum of
        its sequence features if it has no sentence features."""
        wanted = self.component_config.get(FEATURIZERS) or []
        by_origin: Dict[Text, Dict[Text, Any]] = {}
        for feature in message.features:
            if feature.attribute != TEXT or not feature.is_sparse():
                continue
            if wanted and feature.origin not in wanted:
                continue
            by_origin.setdefault(str(feature.origin), {})[feature.type] = feature
        blocks = {}
        for origin, kinds in by_origin.items():
            if "sentence" in kinds:
                row = scipy.sparse.csr_matrix(kinds["sentence"].features)
            elif not self.component_config["use_sequence_sums"]:
                continue
            else:
                row = scipy.sparse.csr_matrix(kinds["sequence"].features.sum(axis=0))
            blocks[origin] = row
        return blocks

    def _featurize(self, messages: List[Message]) -> scipy.sparse.csr_matrix:
        """Raw feature counts, one row per message, blocks in training order."""
        rows = []
        for message in messages:
            found = self._blocks(message)
            rows.append(
                scipy.sparse.hstack(
                    [
                        found.get(origin, scipy.sparse.csr_matrix((1, width)))
                        for origin, width in self.block_sizes.items()
                    ]
                )
            )
        return scipy.sparse.vstack(rows).tocsr().astype(np.float64)

    def _row(self, message: Message) -> Tuple[np.ndarray, np.ndarray]:
        """One message's non-zero raw counts: (column indices, counts), blocks
        in training order (`_featurize`'s row without building a matrix)."""
        found = self._blocks(message)
        indices, counts = [], []
        offset = 0
        for origin, width in self.block_sizes.items():
            block = found.get(origin)
            if block is not None:
                block = block.tocsr()
                block.sum_duplicates()
                indices.append(block.indices.astype(np.int64) + offset)
                counts.append(block.data)
            offset += width
        if not indices:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return np.concatenate(indices), np.concatenate(counts)

    def _probabilities(self, message: Message) -> Optional[np.ndarray]:
        """Every intent's probability, or None if no feature of the message
        is known."""
        if self.fast is not None:
            indices, counts = self._row(message)
            nonzero = counts != 0
            if not nonzero.any():
                return None
            return self.fast.predict_proba(indices[nonzero], counts[nonzero])
        x = self._featurize([message])
        if x.nnz == 0:
            return None
        return self.clf.predict_proba(x)[0]

    # ------------------------------------------------------------- training
    def train(self, training_data: TrainingData) -> Resource:
        """Fits the logistic regression on the intent examples."""
        examples = [
            e
            for e in training_data.intent_examples
            if e.features_present(TEXT, self.component_config.get(FEATURIZERS))
        ]
        labels = sorted({e.get(INTENT) for e in examples})
        if len(labels) < 2:
            logger.warning(
                "LinearIntentClassifier needs at least two intents; not trained."
            )
            return self._resource
        index = {label: i for i, label in enumerate(labels)}
        widths: Dict[Text, int] = {}
        for example in examples:
            for origin, block in self._blocks(example).items():
                widths.setdefault(origin, block.shape[1])
        self.block_sizes = dict(sorted(widths.items()))
        x = self._featurize(examples)
        y = np.array([index[e.get(INTENT)] for e in examples])
        clf = self._create_classifier(y)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf.fit(x, y)
        self.clf, self.labels = clf, labels
        self.fast = FastLinear.build(clf)
        self.persist()
        return self._resource

    def _create_classifier(self, y: np.ndarray) -> Any:
        """TF-IDF weighting + the configured linear model, as one scikit-learn
        pipeline with ``predict_proba``."""
        from sklearn.feature_extraction.text import TfidfTransformer
        from sklearn.pipeline import make_pipeline

        config = self.component_config
        if config["normalise_blocks"]:
            weighting: Any = BlockTfidf(
                list(self.block_sizes.values()),
                use_idf=config["use_idf"],
                sublinear_tf=config["sublinear_tf"],
            )
        else:
            weighting = TfidfTransformer(
                use_idf=config["use_idf"], sublinear_tf=config["sublinear_tf"]
            )
        return make_pipeline(weighting, self._create_linear_model(y))

    def _create_linear_model(self, y: np.ndarray) -> Any:
        """LinearSVC (sigmoid-calibrated) or LogisticRegression, per config."""
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.linear_model import LogisticRegression
        from sklearn.svm import LinearSVC

        config = self.component_config
        if config["classifier"] == "logistic":
            return LogisticRegression(
                C=config["C"],
                class_weight=config["class_weight"],
                max_iter=config["max_iter"],
                random_state=config["random_seed"],
            )
        if config["classifier"] != "linear_svc":
            raise ValueError(f"Unknown classifier '{config['classifier']}'.")
        folds = max(2, min(config["calibration_folds"], int(np.bincount(y).min())))
        return CalibratedClassifierCV(
            LinearSVC(
                C=config["C"],
                class_weight=config["class_weight"],
                max_iter=config["max_iter"],
                random_state=config["random_seed"],
            ),
            cv=folds,
            method="sigmoid",
            ensemble=config["calibration_ensemble"],
        )

    # ------------------------------------------------------------ inference
    def _rank(self, probabilities: np.ndarray) -> Tuple[Dict, List[Dict]]:
        """DIET-shaped ``intent`` and ``intent_ranking`` from probabilities."""
        order = np.argsort(-probabilities)[: self.component_config["ranking_length"]]
        ranking = [
            {"name": self.labels[i], "confidence": float(probabilities[i])}
            for i in order
        ]
        return ranking[0], ranking

    def process(self, messages: List[Message]) -> List[Message]:
        """Sets ``intent`` and ``intent_ranking`` on each message."""
        for message in messages:
            if self.clf is None or not message.features_present(
                TEXT, self.component_config.get(FEATURIZERS)
            ):
                intent: Dict[Text, Any] = {"name": None, "confidence": 0.0}
                ranking: List[Dict[Text, Any]] = []
            else:
                probabilities = self._probabilities(message)
                if probabilities is None:
                    # Nothing known in the text: no intent, as DIET does.
                    intent, ranking = {"name": None, "confidence": 0.0}, []
                else:
                    intent, ranking = self._rank(probabilities)
            message.set(INTENT, intent, add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages

    # ---------------------------------------------------------- persistence
    def persist(self) -> None:
        """Writes the classifier and its labels into the model storage."""
        import joblib

        with self._model_storage.write_to(self._resource) as model_dir:
            joblib.dump(
                {"clf": self.clf, "labels": self.labels, "blocks": self.block_sizes},
                model_dir / MODEL_FILE,
            )

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        """Loads the trained classifier; an untrained one if there is none."""
        import joblib

        try:
            with model_storage.read_from(resource) as model_dir:
                path = model_dir / MODEL_FILE
                if path.exists():
                    return cls(config, model_storage, resource, joblib.load(path))
        except ValueError:
            logger.debug(f"No stored model for '{cls.__name__}' ({resource.name}).")
        return cls(config, model_storage, resource)
