"""The Python `eventsourcing` side of benches/compare.sh.

    python3 benches/compare_peers.py write STORE EVENTS NDJSON
    python3 benches/compare_peers.py replay STORE ID

`write` stores EVENTS events of one bank account with the real library
(its SQLite persistence module): opened, then deposits and withdrawals of
whole amounts. It then reads them back through the library and writes the
same events to NDJSON for `rewind import`, under the names bank.js folds
(stream account-ID, AccountOpened, FundsDeposited, FundsWithdrawn). Prints
{"id", "stream", "balance"}.

`replay` rebuilds the account with `repository.get(id)` (no snapshots, no
cache: a full replay) and prints {"replay_ms", "balance"}; replay_ms leaves
out the interpreter's start and the imports, which compare.sh measures too,
as the whole process.
"""

import json
import random
import sys
import time
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event


# The library records topics such as __main__:Account.Deposited (Rewind
# shows the type Account.Deposited); `replay` runs this file as __main__ too,
# so they resolve.
class Account(Aggregate):
    @event("Opened")
    def __init__(self, owner: str, currency: str):
        self.owner = owner
        self.currency = currency
        self.balance = 0

    @event("Deposited")
    def deposit(self, amount: int):
        self.balance += amount

    @event("Withdrawn")
    def withdraw(self, amount: int):
        self.balance -= amount


class Bank(Application):
    pass


def bank(store: str) -> Bank:
    # The library's defaults keep snapshots and the aggregate cache off; they
    # are spelled out so the replay is the full one whatever the environment.
    return Bank(
        env={
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": store,
            "IS_SNAPSHOTTING_ENABLED": "no",
            "AGGREGATE_CACHE_MAXSIZE": "",
        }
    )


def write(store: str, events: int, ndjson: str) -> None:
    app = bank(store)
    rng = random.Random(7)  # the same amounts on every run
    account = Account("Ada Lovelace", "GBP")
    for n in range(1, events):
        if account.balance >= 100 and rng.random() < 0.4:
            account.withdraw(rng.randint(1, 100))
        else:
            account.deposit(rng.randint(1, 200))
        if n % 1000 == 0:  # saved in batches, as an application would
            app.save(account)
    app.save(account)

    # The NDJSON comes from the stored events, read back by the library, so
    # Rewind's own store holds exactly what the library recorded.
    stream = f"account-{account.id.hex}"
    names = {"Opened": "AccountOpened", "Deposited": "FundsDeposited", "Withdrawn": "FundsWithdrawn"}
    with open(ndjson, "w") as out:
        for e in app.events.get(account.id):
            kind = type(e).__name__
            if kind == "Opened":
                data = {"accountId": stream, "owner": e.owner, "currency": e.currency}
            else:
                data = {"amount": e.amount}
            line = {
                "stream": stream,
                "type": names[kind],
                "data": data,
                "time": e.timestamp.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            }
            out.write(json.dumps(line, separators=(",", ":")) + "\n")
    app.close()
    print(json.dumps({"id": account.id.hex, "stream": stream, "balance": account.balance}))


def replay(store: str, aggregate_id: str) -> None:
    app = bank(store)
    started = time.perf_counter()
    account = app.repository.get(UUID(aggregate_id))
    elapsed = time.perf_counter() - started
    app.close()
    print(json.dumps({"replay_ms": round(elapsed * 1000, 1), "balance": account.balance}))


if __name__ == "__main__":
    if sys.argv[1:2] == ["write"] and len(sys.argv) == 5:
        write(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif sys.argv[1:2] == ["replay"] and len(sys.argv) == 4:
        replay(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
