"""ServiceScopeClassifier: questions about other government services are out
of scope, whatever the statistical intent model guessed.

A question that names a service listed in ``data/content/other_services.yml``
(driving licence, passport, tax, เราชนะ, คนละครึ่ง, welfare-card payments …)
and none of that file's ``in_scope`` words gets the intent ``out_of_scope``
with confidence 1.0, and an ``other_service`` entity naming the service, so the
reply can say which service is outside what the bot answers. Runs after the
intent classifier and before FallbackClassifier. The word lists are copied
into the model storage (as the tokenizer copies its dictionary), and a change
to the file retrains this component.
"""

from __future__ import annotations

import hashlib
import json
import logging
import unicodedata
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Tuple

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

OUT_OF_SCOPE = "out_of_scope"
ENTITY = "other_service"
_FILE = "scope.json"


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFC", text or "").casefold()
    return "".join(c for c in text if not c.isspace() and c not in ".-'’")


def read_scope(path: Optional[Text]) -> Dict[str, Any]:
    """{"services": [[name_th, [words]]...], "in_scope": [words]} from the YAML."""
    if not path or not Path(path).exists():
        logger.warning(
            f"Service scope file '{path}' not found: questions about other "
            "services are left to the intent model. Check config.yml."
        )
        return {"services": [], "in_scope": []}
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    services = [
        [str(s["name_th"]), [str(w) for w in s.get("words") or []]]
        for s in data.get("other_services") or []
    ]
    return {
        "services": services,
        "in_scope": [str(w) for w in data.get("in_scope") or []],
    }


def other_service(text: str, scope: Dict[str, Any]) -> Optional[Tuple[str, int, int]]:
    """(service name, start, end) of the first other service the text names,
    unless an in-scope word keeps the question in scope."""
    norm = _norm(text)
    if any(_norm(w) in norm for w in scope["in_scope"]):
        return None
    lowered = unicodedata.normalize("NFC", text or "").casefold()
    for name, words in scope["services"]:
        for w in words:
            if _norm(w) in norm:
                start = lowered.find(w.casefold())
                end = start + len(w) if start >= 0 else len(text)
                return name, max(start, 0), end
    return None


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True
)
class ServiceScopeClassifier(GraphComponent):
    """Sets out_of_scope for questions about services the bot does not cover."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"services_path": "data/content/other_services.yml"}

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        scope: Dict[str, Any],
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self.scope = scope

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "ServiceScopeClassifier":
        return cls(config, model_storage, resource, read_scope(config["services_path"]))

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """Retrains when the file's content changes, not only its path."""
        scope = read_scope(config.get("services_path"))
        return hashlib.sha256(json.dumps(scope, sort_keys=True).encode()).hexdigest()

    def train(self, training_data: TrainingData) -> Resource:
        with self._model_storage.write_to(self._resource) as directory:
            (Path(directory) / _FILE).write_text(
                json.dumps(self.scope, ensure_ascii=False), encoding="utf-8"
            )
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "ServiceScopeClassifier":
        scope: Dict[str, Any] = {"services": [], "in_scope": []}
        try:
            with model_storage.read_from(resource) as directory:
                scope = json.loads((Path(directory) / _FILE).read_text("utf-8"))
        except (ValueError, FileNotFoundError):
            logger.warning(
                f"{cls.__name__}: no scope in the model; retrain with `make train`."
            )
        return cls(config, model_storage, resource, scope)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            found = other_service(message.get(TEXT) or "", self.scope)
            if found is None:
                continue
            name, start, end = found
            # the model's guesses stay in the ranking (staff see them), at
            # most half as sure, so FallbackClassifier sees no ambiguity
            ranking = [
                {**r, PREDICTED_CONFIDENCE_KEY: r[PREDICTED_CONFIDENCE_KEY] * 0.5}
                for r in message.get(INTENT_RANKING_KEY) or []
                if r.get(INTENT_NAME_KEY) != OUT_OF_SCOPE
            ]
            top = {INTENT_NAME_KEY: OUT_OF_SCOPE, PREDICTED_CONFIDENCE_KEY: 1.0}
            message.set(INTENT, top, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [top, *ranking], add_to_output=True)
            entities = list(message.get(ENTITIES) or [])
            entities.append(
                {
                    "entity": ENTITY,
                    "value": name,
                    "start": start,
                    "end": end,
                    "extractor": type(self).__name__,
                }
            )
            message.set(ENTITIES, entities, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
