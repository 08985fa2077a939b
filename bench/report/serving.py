"""The serving sections of the report: latency, throughput, memory, the
tracker settings, costs and the profile."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from bench.report.markdown import minutes, table


def latency_rows(name: str, block: Dict[str, Any]) -> List[List[Any]]:
    rows = []
    for level in ("c1", "c8"):
        x = block[level]
        rows.append(
            [
                name,
                x["concurrency"],
                x["n"],
                x["p50_ms"],
                x["p95_ms"],
                x["p99_ms"],
                x["mean_ms"],
                x["throughput_rps"],
                sum(x["errors"].values()) if x["errors"] else 0,
            ]
        )
    return rows


def section_serving(sv: Dict[str, Any], timing: Dict[str, Any]) -> List[str]:
    p = sv["project"]
    stock = sv.get("stock")
    out = [
        "## 3. Serving speed against stock Rasa",
        "",
        "Both assistants run the way the e2e tests run this bot (free loopback "
        "ports, temporary databases). Both are up at the same time and are "
        "measured in alternating blocks (one conversation at a time at "
        "concurrency 1, eight at concurrency 8; the long conversations "
        "alternate too), so both see the same background load; only one of "
        "them gets messages at any moment. Latency is client-side for `POST "
        "/webhooks/rest/webhook` (keep-alive connections), after a warm-up. "
        "Each client sends the mix in a shuffled order, one conversation id "
        "per round.",
        "",
        "* **This bot**: action server + Rasa server; service DB and tracker "
        "store are SQLite files (the defaults). Thai mix: "
        + ", ".join(sorted({row["kind"] for row in p["probe"]}, key=lambda k: k))
        + ".",
        "* **Stock Rasa 3.6**: `rasa init --no-prompt` in a temporary folder "
        "(moodbot, trained there, default pipeline and policies, default "
        "in-memory tracker store), served with its own action server "
        "(`rasa run actions`); English mix: "
        + (", ".join(row["text"] for row in stock["probe"]) if stock else "–")
        + ".",
        "",
    ]
    rows = latency_rows("this bot", p)
    if stock:
        rows += latency_rows("stock Rasa", stock)
    out += table(
        [
            "",
            "concurrency",
            "requests",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "mean ms",
            "throughput msg/s",
            "errors",
        ],
        rows,
    )
    if stock:
        r = sv["ratios"]
        out += [
            "",
            "This bot ÷ stock: concurrency 1 p50 × "
            f"{r['c1']['p50_ms']}, p95 × {r['c1']['p95_ms']}, p99 × "
            f"{r['c1']['p99_ms']}; concurrency 8 p50 × {r['c8']['p50_ms']}, p95 × "
            f"{r['c8']['p95_ms']}.",
        ]
    out += ["", "p50 by kind of message (this bot, concurrency 1 / 8, ms):", ""]
    kinds = p["c1"]["by_kind_p50_ms"]
    out += table(
        ["kind", "c=1", "c=8"],
        [[k, kinds[k], p["c8"]["by_kind_p50_ms"].get(k, "–")] for k in sorted(kinds)],
    )
    out += ["", "What each message of the mix got (one fresh conversation each):", ""]
    out += table(
        ["kind", "message", "answer starts with", "source link"],
        [
            [
                row["kind"],
                row["text"],
                row["reply"][:60],
                "yes" if row["with_source"] else "–",
            ]
            for row in p["probe"]
        ],
    )
    out += ["", "### Turn 1 against turn 50", ""]
    turns_rows = []
    for name, block in (("this bot", p), ("stock Rasa", stock)):
        if not block:
            continue
        t = block["turns"]
        turns_rows.append(
            [name, f"`{t['message']}`"]
            + [
                t["p50_by_turn_ms"][str(k)]
                if str(k) in t["p50_by_turn_ms"]
                else t["p50_by_turn_ms"].get(k)
                for k in (1, 2, 10, 20, 30, 40, 50)
            ]
            + [f"× {t['ratio']}"]
        )
    out += table(
        [
            "",
            "turn 1 and 50 send",
            "t1",
            "t2",
            "t10",
            "t20",
            "t30",
            "t40",
            "t50",
            "t50 ÷ t1",
        ],
        turns_rows,
    )
    out += [
        "",
        f"p50 over {p['turns']['conversations']} conversations of 50 turns each, "
        "sent one after the other at concurrency 1; turns 2–49 cycle through the "
        "mix. Turn 1 also starts the session (`action_session_start`).",
        "",
    ]
    return out


TRACKER_TEXT = """### Session expiry and tracker settings

What would grow per turn in stock Rasa 3.6, and what this bot does instead
(bot/rasa_ext/, docs/architecture.md "What we change in Rasa"):

* `SQLTrackerStore` reads back every event of the session on each message
  (one ORM row, one `json.loads`, one event object per event, then a replay):
  ~30 ms at turn 50. Here the tracker this process saved is kept in memory
  and used while one indexed query shows the database unchanged
  (`tracker_cache`); `save` no longer counts the stored events.
* RulePolicy and MemoizationPolicy build `tracker.past_states` over the whole
  session about five times a turn (~5 ms each at turn 50), and the processor
  copies the tracker by replaying it before each action. Here both resume from
  the last call (`past_states`, `tracker_copy`), as does `applied_events`.
* Each custom action receives only the latest 60 events, not the session.

A turn adds about 6 events (user message, featurization marker, action, bot
message, slot events, listen); after 50 turns a session holds ~320 events.

Settings chosen:

* **`session_expiration_time: {expiry}` minutes, `carry_over_slots_to_new_session:
  {carry}`** (domain.yml, unchanged). The cost per turn is bounded by the
  length of the *session*, not of the whole history: after {expiry} quiet
  minutes the next message starts a new session and Rasa reads only that one.
  A citizen who leaves to fetch an ID card or a business registration and
  comes back within the hour keeps the topic ("แล้ว กฟน. ล่ะ" still works);
  a shorter expiry would break that without helping speed in practice: the
  cost grows by about {slope} ms per turn (table above), and real citizen
  sessions are a few turns long, so a 10-turn session pays ~{ten} ms more per
  message than its first turn. Nothing carries over into a new session, so an
  old topic never answers a new question.
* **SQLite tracker store in WAL mode with `synchronous=NORMAL` and pooled
  connections** (bot/rasa_ext/tracker_store.py via bot/rasa_ext/sqlite.py).
  Before, every turn's commit waited for two or three fsyncs and SQLAlchemy
  1.4 opened and closed a connection per session (closing the last connection
  of a WAL database checkpoints it): about 11 ms per turn on this disk, the
  largest cost after DIET and TED. A crashed Rasa process still loses nothing;
  only a power cut or OS crash can lose the last turns of a chat, which a
  citizen service can live with. PostgreSQL (`TRACKER_STORE_URL`) is
  unaffected.
* Conversations stay in the SQL store (not Rasa's in-memory store, which the
  stock bot uses): a restart (also the staff's `make reload`) must not forget
  the citizens' context, and several Rasa processes can share PostgreSQL.
"""


def section_costs(
    sv: Optional[Dict], training: Optional[Dict], tv: Optional[Dict]
) -> List[str]:
    out = ["## 4. Cost", ""]
    rows = []
    if sv and "project" in sv:
        p = sv["project"]
        rows.append(
            [
                "cold start: process start → first answer (this bot)",
                f"{p['cold_start_s']} s",
            ]
        )
        if "stock" in sv:
            rows.append(["cold start (stock Rasa)", f"{sv['stock']['cold_start_s']} s"])
    if training:
        rows.append(
            [
                "full training (`rasa train`, fresh cache, via ensure_model)",
                minutes(training["full_train_s"]),
            ]
        )
        unchanged = training["unchanged_s"]
        rows.append(
            [
                "`ensure_model` again with unchanged data",
                (f"{unchanged:.2f} s" if unchanged >= 0.1 else "< 0.1 s")
                + " (fingerprint only, no training)",
            ]
        )
    if sv and "stock_init_and_train_s" in sv:
        rows.append(
            [
                "stock Rasa: `rasa init --no-prompt` incl. training",
                minutes(sv["stock_init_and_train_s"]),
            ]
        )
    if tv and "rasa" in tv:
        rows.append(
            [
                "truevoice NLU training (config.yml's pipeline)",
                minutes(tv["rasa"]["train_seconds"]),
            ]
        )
    for name, block in (
        ("this bot", (sv or {}).get("project")),
        ("stock Rasa", (sv or {}).get("stock")),
    ):
        if not block:
            continue
        mem = block["memory"]
        rows.append(
            [
                f"peak RSS (VmHWM), Rasa server, {name}",
                f"{mem['rasa']['peak_rss_mb']:.0f} MB",
            ]
        )
        rows.append(
            [
                f"peak RSS (VmHWM), action server, {name}",
                f"{mem['actions']['peak_rss_mb']:.0f} MB",
            ]
        )
    out += table(["", "measured"], rows)
    out += [
        "",
        "Peak RSS is read from `/proc/<pid>/status` after all the load runs.",
        "",
    ]
    return out


def section_profile(sv: Dict[str, Any]) -> List[str]:
    """Component shares and hot functions under load (py-spy), as
    bench.serving summarised them."""
    prof = sv.get("project", {}).get("profile") or {}
    out = ["## 5. Where the time goes (profile under load)", ""]
    if not prof.get("rasa"):
        return out + ["(profile not run)", ""]
    rasa, acts = prof["rasa"], prof.get("actions", {})
    out += [
        "py-spy on both servers of this bot while 8 clients send the Thai mix "
        "(raw stacks: `.run/bench/profile/`). Shares are of the samples in which "
        "a server was busy (threads waiting for work are left out):",
        "",
    ]
    rows = [
        ["Rasa server", label, f"{share} %"]
        for label, share in rasa.get("components_pct", {}).items()
    ]
    rows += [
        ["action server", label, f"{share} %"]
        for label, share in acts.get("components_pct", {}).items()
    ]
    out += table(["server", "part", "share of busy samples"], rows)
    keys = ("rasa/core", "rasa/shared", "bot/", "actions/", "sqlalchemy", "jsonschema")
    skip = (
        "handle_message",
        "receive (",
        "run_turn",
        "handler (",
        "_run_prediction",
        "serve_application",
    )
    hot = [
        (frame, share)
        for frame, share in rasa.get("inclusive_pct", {}).items()
        if any(k in frame for k in keys) and not any(k in frame for k in skip)
    ]
    out += [
        "",
        f"Hottest Rasa-server functions ({rasa.get('busy_samples', 0)} busy "
        "samples; inclusive):",
        "",
    ]
    out += table(
        ["share", "function (file)"], [[f"{v} %", f"`{k}`"] for k, v in hot[:14]]
    )
    out += [
        "",
        "With the linear intent classifier and the changes in bot/rasa_ext/, "
        "no single part dominates the Rasa server: the NLU components (run "
        "inside the graph runner's frames), the SQL write of each turn, the "
        "rules and Sanic. The action server's time is mostly SQLAlchemy "
        "(its answer takes a few milliseconds).",
        "",
    ]
    return out
