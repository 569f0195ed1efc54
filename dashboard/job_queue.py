"""The queue of trainings waiting for a slot on one machine: entries, not processes.

Dash-free. A Train press beyond the free slots costs an entry in a diskcache list (shared by
every web process of the site), not a TensorFlow process: the web process that took the
press starts the job when the entry reaches the head of the queue and a slot frees. Entries
and jobs are known by (pid, start time), so a dead web process's entries and a dead job's
slot are dropped, never waited on.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import diskcache
import psutil

QUEUE_KEY = "lstm-lab-queue"  # [(token, owner pid, owner start time)], first come first
JOBS_KEY = "lstm-lab-queue-jobs"  # {token: (pid, start time) or None while it starts}
STARTING_GRACE_S = 30.0  # a job that has not got a pid after this long never started

Process = tuple[int, float]  # (pid, start time)


def me() -> Process:
    """This process, as the queue knows processes."""
    return os.getpid(), psutil.Process().create_time()


def alive(process: Sequence[float | None] | None) -> bool:
    """True while the process (pid, start time) runs (not the pid's next owner)."""
    if not process or process[0] is None:
        return False
    try:
        found = psutil.Process(int(process[0]))
        return found.create_time() == process[1] and found.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@dataclass(frozen=True)
class Admission:
    """What `JobQueue.enter` decided for a Train press known by `token`: start now, wait
    with `ahead` entries before it, or neither (`full`: the queue is full)."""

    token: str
    wait: bool = False
    ahead: int = 0
    full: bool = False


class JobQueue:
    """At most `slots` jobs at once; up to `max_waiting` more wait as entries, in order."""

    def __init__(self, cache: diskcache.Cache, slots: int, max_waiting: int) -> None:
        self.cache, self.slots, self.max_waiting = cache, max(1, slots), max_waiting

    # the shared state, pruned of what died ---------------------------------------------
    def _queue(self) -> list[tuple[str, int, float]]:
        return [e for e in self.cache.get(QUEUE_KEY, []) if alive(e[1:])]

    def _jobs(self, now: float) -> dict[str, tuple[int, float] | tuple[None, float]]:
        jobs = self.cache.get(JOBS_KEY, {})
        return {
            token: job
            for token, job in jobs.items()
            if (job[0] is None and now - job[1] < STARTING_GRACE_S) or alive(job)
        }

    # one web process's side ---------------------------------------------------------------
    def enter(self) -> Admission:
        """A new Train press: a free slot and nobody waiting -> start now; else an entry
        at the end of the queue, unless `max_waiting` entries wait already."""
        token, now = secrets.token_hex(8), time.time()
        with self.cache.transact(retry=True):
            queue, jobs = self._queue(), self._jobs(now)
            if not queue and len(jobs) < self.slots:
                self.cache.set(JOBS_KEY, {**jobs, token: (None, now)})
                return Admission(token)
            if len(queue) >= self.max_waiting:
                return Admission(token, full=True, ahead=len(queue))
            self.cache.set(QUEUE_KEY, [*queue, (token, *me())])
            return Admission(token, wait=True, ahead=len(queue))

    def ready(self, mine: Iterable[str]) -> list[str]:
        """The entries of `mine` that may start now (head of the queue, free slots); they
        leave the queue and count as running from here on."""
        mine, now = set(mine), time.time()
        with self.cache.transact(retry=True):
            queue, jobs = self._queue(), self._jobs(now)
            free = self.slots - len(jobs)
            starting = []
            for token, *_ in queue[: max(free, 0)]:
                if token not in mine:
                    break  # first come, first served: another process starts its own
                starting.append(token)
                jobs[token] = (None, now)
            self.cache.set(QUEUE_KEY, [e for e in queue if e[0] not in starting])
            self.cache.set(JOBS_KEY, jobs)
        return starting

    def started(self, token: str, pid: int) -> None:
        """The job of `token` runs as `pid` (it counts as running until that pid ends)."""
        with contextlib.suppress(psutil.NoSuchProcess), self.cache.transact(retry=True):
            jobs = self.cache.get(JOBS_KEY, {})
            jobs[token] = (pid, psutil.Process(pid).create_time())
            self.cache.set(JOBS_KEY, jobs)

    def failed_to_start(self, token: str) -> None:
        """Free the slot taken for `token` (its process could not be started)."""
        with self.cache.transact(retry=True):
            jobs = self.cache.get(JOBS_KEY, {})
            jobs.pop(token, None)
            self.cache.set(JOBS_KEY, jobs)

    def leave(self, token: str) -> bool:
        """Take an entry out of the queue (Cancel while waiting); False if not there."""
        with self.cache.transact(retry=True):
            queue = self.cache.get(QUEUE_KEY, [])
            kept = [e for e in queue if e[0] != token]
            self.cache.set(QUEUE_KEY, kept)
        return len(kept) != len(queue)

    def position(self, token: str) -> int | None:
        """How many entries wait ahead of `token` (None: it does not wait)."""
        tokens = [e[0] for e in self._queue()]
        return tokens.index(token) if token in tokens else None

    def job_of(self, token: str) -> tuple[int, float] | None:
        """The (pid, start time) that `token` started as, if it did."""
        job = self.cache.get(JOBS_KEY, {}).get(token)
        return job if job and job[0] is not None else None

    def active(self, token: str) -> bool:
        """True while `token` waits, is being started, or runs."""
        if self.position(token) is not None:
            return True
        return token in self._jobs(time.time())

    def waiting(self) -> int:
        """How many entries wait."""
        return len(self._queue())


def queue_message(ahead: int) -> str:
    """What a waiting training's page says."""
    if ahead == 0:
        return "Queued: another training is running; yours starts next."
    return f"Queued: {ahead} training{'s' if ahead > 1 else ''} ahead of yours."


def busy_message(waiting: int) -> str:
    """What a Train press says when the queue is full."""
    return f"The server is busy: {waiting} trainings are already waiting. Try again in a minute."


__all__ = ["Admission", "JobQueue", "alive", "busy_message", "me", "queue_message"]
