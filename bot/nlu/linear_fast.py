"""scikit-learn's arithmetic for one message, without its per-call overhead.

`LinearIntentClassifier` predicts one message at a time. Through
scikit-learn that took ~6 ms a message: the TF-IDF pipeline builds and
stacks small sparse matrices, and the calibrated SVM loops over five folds
and, in each, over every intent's sigmoid. The numbers are tiny; the time is
all in the calls. `FastLinear` reads the fitted objects once and repeats the
same arithmetic with a few NumPy operations on the message's non-zero
features:

* TF-IDF (`BlockTfidf` or ``TfidfTransformer`` with the L2 norm): ``1 +
  log(tf)`` if sublinear, times the idf, then each block scaled to unit
  length (blocks with no feature left as they are);
* ``CalibratedClassifierCV(LinearSVC, method="sigmoid")`` with more than two
  intents: per fold, the SVM's decision values, ``expit(-(a * d + b))`` per
  intent, normalised to sum 1 (uniform if all are 0), values a hair above 1
  set to 1; then the mean over the folds.

Any other fitted model (logistic regression, two intents, isotonic
calibration) gets ``None`` from `FastLinear.build`, and the component uses
scikit-learn. ``tests/nlu/test_linear_fast.py`` checks the probabilities
against scikit-learn's on the held-out file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Optional

import numpy as np
from scipy.special import expit


@dataclass
class _Fold:
    coef: np.ndarray  # (intents seen by this fold, features)
    intercept: np.ndarray
    a: np.ndarray
    b: np.ndarray
    positions: np.ndarray  # each row's index among all intents


@dataclass
class FastLinear:
    """The fitted TF-IDF + calibrated LinearSVC pipeline, as arrays."""

    edges: np.ndarray  # block boundaries over the feature columns
    idf: Optional[np.ndarray]
    sublinear_tf: bool
    folds: List[_Fold]
    n_classes: int

    @classmethod
    def build(cls, pipeline: Any) -> Optional["FastLinear"]:
        """The arrays of `pipeline` (``make_pipeline(weighting, model)``), or
        None if it is not a model this class reproduces exactly."""
        from sklearn.calibration import CalibratedClassifierCV, _SigmoidCalibration
        from sklearn.feature_extraction.text import TfidfTransformer
        from sklearn.svm import LinearSVC

        from bot.nlu.linear_intent import BlockTfidf

        steps = getattr(pipeline, "steps", None)
        if not steps or len(steps) != 2:
            return None
        weighting, model = steps[0][1], steps[1][1]
        if isinstance(weighting, BlockTfidf):
            transformers = weighting.transformers_
            widths = list(weighting.widths)
        elif isinstance(weighting, TfidfTransformer):
            transformers = [weighting]
            widths = [len(weighting.idf_)] if weighting.use_idf else []
        else:
            return None
        first = transformers[0]
        if any(
            t.norm != "l2"
            or t.use_idf != first.use_idf
            or t.sublinear_tf != first.sublinear_tf
            for t in transformers
        ):
            return None
        if not isinstance(model, CalibratedClassifierCV) or model.method != "sigmoid":
            return None
        n_classes = len(model.classes_)
        if n_classes <= 2 or not widths:
            return None
        folds = []
        for calibrated in model.calibrated_classifiers_:
            svm = getattr(calibrated, "estimator", None) or calibrated.base_estimator
            if not isinstance(svm, LinearSVC) or not all(
                isinstance(c, _SigmoidCalibration) for c in calibrated.calibrators
            ):
                return None
            positions = np.searchsorted(calibrated.classes, svm.classes_)
            if svm.coef_.shape[0] != len(positions) != len(calibrated.calibrators):
                return None  # a fold that saw only two intents
            folds.append(
                _Fold(
                    coef=np.ascontiguousarray(svm.coef_, dtype=np.float64),
                    intercept=np.asarray(svm.intercept_, dtype=np.float64),
                    a=np.array(
                        [c.a_ for c in calibrated.calibrators], dtype=np.float64
                    ),
                    b=np.array(
                        [c.b_ for c in calibrated.calibrators], dtype=np.float64
                    ),
                    positions=positions,
                )
            )
        idf = np.concatenate([t.idf_ for t in transformers]) if first.use_idf else None
        return cls(
            edges=np.cumsum([0, *widths]),
            idf=idf,
            sublinear_tf=bool(first.sublinear_tf),
            folds=folds,
            n_classes=n_classes,
        )

    def weigh(self, indices: np.ndarray, counts: np.ndarray) -> np.ndarray:
        """TF-IDF values of the non-zero features (`indices`, raw `counts`)."""
        values = np.array(counts, dtype=np.float64)
        if self.sublinear_tf:
            np.log(values, values)
            values += 1
        if self.idf is not None:
            values *= self.idf[indices]
        block = np.searchsorted(self.edges, indices, side="right") - 1
        norms = np.sqrt(
            np.bincount(block, weights=values * values, minlength=len(self.edges))
        )
        norms[norms == 0.0] = 1.0
        values /= norms[block]
        return values

    def predict_proba(self, indices: np.ndarray, counts: np.ndarray) -> np.ndarray:
        """Probabilities of every intent for one message's features."""
        values = self.weigh(indices, counts)
        mean = np.zeros(self.n_classes)
        for fold in self.folds:
            decision = fold.coef[:, indices] @ values + fold.intercept
            proba = np.zeros(self.n_classes)
            proba[fold.positions] = expit(-(fold.a * decision + fold.b))
            total = proba.sum()
            if total != 0:
                proba /= total
            else:
                proba[:] = 1 / self.n_classes
            proba[(1.0 < proba) & (proba <= 1.0 + 1e-5)] = 1.0
            mean += proba
        mean /= len(self.folds)
        return mean
