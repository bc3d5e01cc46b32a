#!/usr/bin/env python3
"""A bank-balance reducer for Rewind's external projections.

Use it as an external projection whose command is
    python3 assets/examples/bank_reducer.py

Rewind talks to it with one JSON value per line (see assets/projections/README.md):
  Rewind -> reducer: {"init": true}                        reducer -> Rewind: {"state": <initial>}
  Rewind -> reducer: {"state": <state>, "event": <event>}  reducer -> Rewind: {"state": <new state>}
The reducer keeps nothing between lines: Rewind holds the state and sends it
with every event, so that it can jump anywhere in history.
"""

import json
import sys


def initial_state():
    return {"accounts": {}}


def apply(state, event):
    stream = event["stream"]
    if not stream.startswith("account-"):
        return state
    data = event["data"]
    account = state["accounts"].setdefault(stream, {"holder": None, "balance": 0, "status": "unopened"})
    kind = event["type"]
    if kind == "AccountOpened":
        # Schema version 1 named the owner; version 2 has a holder object.
        holder = data.get("holder") or {"name": data.get("owner"), "email": None}
        account["holder"] = holder["name"]
        account["status"] = "open"
    elif kind in ("FundsDeposited", "TransferReceived"):
        account["balance"] += data["amount"]
    elif kind in ("FundsWithdrawn", "TransferSent"):
        account["balance"] -= data["amount"]
    elif kind == "AccountFrozen":
        account["status"] = "frozen"
    elif kind == "AccountUnfrozen":
        account["status"] = "open"
    elif kind == "AccountClosed":
        account["status"] = "closed"
    return state


def main():
    for line in sys.stdin:
        message = json.loads(line)
        if message.get("init"):
            reply = {"state": initial_state()}
        else:
            reply = {"state": apply(message["state"], message["event"])}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
