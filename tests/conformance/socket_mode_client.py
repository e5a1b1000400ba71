"""A Socket Mode app written with Slack's official Python SDK, for the emulator conformance check.

Run by `cargo run --example slack_sdk_conformance`, which starts the emulator and sets
SLACK_API_URL, SLACK_APP_TOKEN and SLACK_BOT_TOKEN. The app uses the SDK's builtin Socket Mode
client exactly as an app would: it acks every slash command with a message payload and every
other envelope without one. It writes one JSON line to stdout for each frame the SDK hands it
(what the SDK understood), and stops cleanly when its standard input closes.
"""

import json
import logging
import os
import sys
import threading

from slack_sdk.socket_mode import SocketModeClient
from slack_sdk.version import __version__ as sdk_version
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web import WebClient

print_lock = threading.Lock()


def report(record):
    with print_lock:
        print(json.dumps(record, sort_keys=True), flush=True)


def on_frame(client, message, raw_message):
    """Every text frame, as the SDK parsed it (hello and disconnect included)."""
    report({"frame": message.get("type"), "num_connections": message.get("num_connections")})


def on_request(client, request: SocketModeRequest):
    report(
        {
            "request": request.type,
            "envelope_id": request.envelope_id,
            "accepts_response_payload": request.accepts_response_payload,
            "retry_attempt": request.retry_attempt,
            "retry_reason": request.retry_reason,
        }
    )
    if request.type == "slash_commands":
        text = f"conformance ack for {request.payload['command']} {request.payload['text']}"
        response = SocketModeResponse(envelope_id=request.envelope_id, payload={"text": text})
    else:
        response = SocketModeResponse(envelope_id=request.envelope_id)
    client.send_socket_mode_response(response)


def main():
    logging.basicConfig(level=os.environ.get("CONFORMANCE_LOG_LEVEL", "WARNING"), stream=sys.stderr)
    api_url = os.environ["SLACK_API_URL"]
    web_client = WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=api_url + "/")
    client = SocketModeClient(
        app_token=os.environ["SLACK_APP_TOKEN"],
        web_client=web_client,
        # Short, so that a socket without pongs would be judged stale within the run.
        ping_interval=1,
    )
    report({"sdk_version": sdk_version})
    client.message_listeners.append(on_frame)
    client.socket_mode_request_listeners.append(on_request)
    client.connect()
    sys.stdin.read()
    client.close()
    report({"stopped": True})


if __name__ == "__main__":
    main()
