"""Runs waiting for a worker, handed out fairly across clients.

The next run is the oldest waiting run of the client served least recently;
a client that has not been served yet (or not since every waiting client
was) goes first, and ties go to the run that has waited longest. So a
client with a 16-run sweep queued and another with one run alternate: the
sweep cannot starve anyone, and a lone run waits for at most one run of
each client ahead of it in the rotation.

Pure bookkeeping, no I/O: the run manager calls it on the event loop, and the
Redis queue (server/scale/queue.py) rebuilds one from a snapshot of Redis to
apply the same rule across machines.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable, Mapping

#: the "last served" turn of a client never served (or served too long ago to matter)
NEVER = -1


class FairQueue:
    def __init__(self) -> None:
        self._waiting: dict[str, deque[tuple[int, str]]] = {}  # client -> (arrival, run_id), oldest first
        self._client: dict[str, str] = {}  # run_id -> client
        self._served: dict[str, int] = {}  # client -> turn of its last run handed out
        self._arrivals = itertools.count()
        self._turns = itertools.count()

    @classmethod
    def restore(cls, waiting: Iterable[tuple[str, str]], served: Mapping[str, int]) -> FairQueue:
        """A queue holding `waiting` ((client, run_id), oldest first) whose clients were last
        served at the turns in `served`; its next turn comes after all of those."""
        queue = cls()
        for client, run_id in waiting:
            queue.push(client, run_id)
        queue._served = dict(served)
        queue._turns = itertools.count(max(served.values(), default=NEVER) + 1)
        return queue

    @property
    def served(self) -> dict[str, int]:
        """Each client's turn of its last run handed out (what `restore` takes back)."""
        return dict(self._served)

    def __len__(self) -> int:
        return len(self._client)

    def push(self, client: str, run_id: str) -> None:
        self._waiting.setdefault(client, deque()).append((next(self._arrivals), run_id))
        self._client[run_id] = client

    def peek(self) -> str | None:
        """The run to hand out next (it stays queued until `take`)."""
        if not self._waiting:
            return None
        client = min(self._waiting, key=lambda c: (self._served.get(c, NEVER), self._waiting[c][0][0]))
        return self._waiting[client][0][1]

    def take(self, run_id: str) -> None:
        """The run has gone to a worker: its client has had its turn."""
        client = self._client[run_id]
        self.remove(run_id)
        self._served[client] = next(self._turns)
        self._forget_old_turns()

    def remove(self, run_id: str) -> None:
        """A waiting run leaves the queue without being served (stopped)."""
        client = self._client.pop(run_id)
        runs = self._waiting[client]
        runs.remove(next(r for r in runs if r[1] == run_id))
        if not runs:
            del self._waiting[client]

    def order(self) -> list[str]:
        """Every waiting run, in the order they would be handed out if nothing else arrived."""
        served = dict(self._served)
        waiting = {c: deque(runs) for c, runs in self._waiting.items()}
        out: list[str] = []
        turn = 1 << 62  # later than any real turn
        while waiting:
            client = min(waiting, key=lambda c: (served.get(c, NEVER), waiting[c][0][0]))
            out.append(waiting[client].popleft()[1])
            if not waiting[client]:
                del waiting[client]
            turn += 1
            served[client] = turn
        return out

    def _forget_old_turns(self) -> None:
        """Drop the turns of clients with nothing waiting that were served before every waiting
        client: when they come back they go first either way (keeps the dict small)."""
        floor = min((self._served.get(c, NEVER) for c in self._waiting), default=None)
        for client in [c for c in self._served if c not in self._waiting]:
            if floor is None or self._served[client] < floor:
                del self._served[client]
