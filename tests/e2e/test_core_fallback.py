"""RulePolicy's core fallback runs action_record_unanswered: the citizen gets
the utter_default answer once, the question is recorded for staff with reason
``core_fallback``, and the bot listens again.

Every intent has a rule, so in this bot the core fallback is a safety net
that no message triggers on demand. The test loads the trained model
in-process and recreates the state it guards against: the learned policies
(TED, memoization) predict nothing and RulePolicy has no rule that applies.
Everything else is real: RulePolicy's fallback prediction with config.yml's
``core_fallback_action_name`` and threshold, the policy ensemble, NLU, the
running action server and its service database.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import numpy as np
from rasa.core.agent import Agent
from rasa.core.policies.policy import PolicyPrediction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.utils.endpoints import EndpointConfig

from bot.content import records
from tests.support.servers import MODEL, Servers


def _no_prediction(tracker: Any, domain: Any, *_: Any, **__: Any) -> PolicyPrediction:
    return PolicyPrediction(list(np.zeros(domain.num_actions)), "no prediction")


def leave_only_the_core_fallback(agent: Agent) -> RulePolicy:
    """Learned policies predict nothing; RulePolicy keeps its fallback but no
    rule applies. Returns the RulePolicy."""
    rule_policy = None
    for node in agent.processor.graph_runner._instantiated_nodes.values():
        component = getattr(node, "_component", None)
        if isinstance(component, RulePolicy):
            component.lookup = {**component.lookup, "rules": {}}
            rule_policy = component
        elif hasattr(component, "predict_action_probabilities"):
            component.predict_action_probabilities = _no_prediction
    assert rule_policy is not None
    return rule_policy


def test_core_fallback_records_the_question_and_listens(servers: Servers) -> None:
    db_url = servers.env["DATABASE_URL"]
    sender = f"core-fallback-{uuid.uuid4().hex[:8]}"
    text = "กฟน.ได้รางวัลไหม"  # a clear intent: the dialogue, not NLU, gives up

    async def main() -> tuple[list[dict], list[str], str]:
        agent = Agent.load(
            str(MODEL),
            action_endpoint=EndpointConfig(f"{servers.action_url}/webhook"),
        )
        rule_policy = leave_only_the_core_fallback(agent)
        assert rule_policy._fallback_action_name == "action_record_unanswered"
        replies = await agent.handle_text(text, sender_id=sender)
        tracker = await agent.tracker_store.retrieve(sender)
        actions = [e.action_name for e in tracker.events if e.type_name == "action"]
        return replies, actions, tracker.latest_message.intent["name"]

    before = [
        r.id
        for r in records.unanswered_questions(url=db_url)
        if r.reason == "core_fallback"
    ]
    replies, actions, intent = asyncio.run(main())
    assert intent == "award_check"
    # answered once with the fallback text, then back to listening
    assert len(replies) == 1 and "ขออภัย" in replies[0]["text"], replies
    after_user = actions[actions.index("action_session_start") + 2 :]
    assert after_user == ["action_record_unanswered", "action_listen"], actions
    rows = [
        r
        for r in records.unanswered_questions(url=db_url)
        if r.reason == "core_fallback" and r.id not in before
    ]
    assert [(r.text, r.intent) for r in rows] == [(text, "award_check")]
