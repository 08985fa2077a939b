"""Chat with the running bot from the terminal, through its REST channel.

Uses Rasa's own console client, which shows buttons as a selectable menu.
"""

from __future__ import annotations

import argparse
import asyncio
import uuid

from rasa.core.channels.console import record_messages


def main() -> None:
    """Parses arguments and runs the console chat until the user types /stop."""
    parser = argparse.ArgumentParser(description="คุยกับแชตบอต / chat with the bot")
    parser.add_argument("--url", default="http://127.0.0.1:5005")
    parser.add_argument("--sender", default=f"shell-{uuid.uuid4().hex[:8]}")
    args = parser.parse_args()
    print("พิมพ์คำถามได้เลยค่ะ (พิมพ์ /stop เพื่อออก) / type your question, /stop to quit")
    asyncio.run(
        record_messages(
            sender_id=args.sender, server_url=args.url, use_response_stream=False
        )
    )


if __name__ == "__main__":
    main()
