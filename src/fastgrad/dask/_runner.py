"""Where the per-chunk tasks run: a dask.distributed cluster, or local threads.

A fit talks to the data only through a ``Runner``:

* ``persist(tasks)`` builds the validated chunks (one task per row block)
  and keeps them where they were built -- on the workers of a cluster, in
  this process's memory for the threaded scheduler. It returns handles
  (futures, or the chunks themselves).
* ``map_reduce(func, handles, args, combine)`` is one *round*:
  ``func(chunk, *args)`` (a compiled pass giving partial sums) on every
  chunk, then a tree reduction with ``combine``. Only reduced values -- a
  few d-sized arrays -- come back to the client; no chunk is ever sent to it.

On a cluster a round is one task per worker (over that worker's chunks,
see ``DistributedRunner``), submitted at once; the client waits for their
d-sized results: one round trip per round. The scheduler keeps every
chunk's lineage, so a worker that dies mid-fit costs the recomputation of
its chunks on the others, then the round completes with the same numbers
up to the rounding of a differently grouped sum.
"""

import sys
import time
import uuid

__all__ = []

#: Partials combined per reduction task (chunks on the threaded scheduler,
#: workers on a cluster): two levels for up to 64.
FAN_IN = 8

#: Test hook: called as ``hook(runner, round_index)`` after every round (a test
#: kills a worker here, to check that a fit survives it). None in normal use.
_AFTER_ROUND = None


def _client_or_none():
    """The default dask.distributed client, or None (then local threads run the tasks)."""
    if "distributed" not in sys.modules:  # no client can exist: skip importing it (~1 s)
        return None
    try:
        from distributed import default_client
    except ImportError:  # the [dask] extra without distributed: threads only
        return None
    try:
        return default_client()
    except ValueError:  # no client has been created
        return None


def get_runner():
    """A ``Runner`` for the current context: the default client's cluster, else threads."""
    client = _client_or_none()
    return DistributedRunner(client) if client is not None else ThreadedRunner()


class Runner:
    """Common bookkeeping: round count and wall time per round."""

    def __init__(self):
        self.token = uuid.uuid4().hex[:12]  # names this fit's tasks and cached objectives
        self.rounds = 0
        self.round_seconds = []

    def map_reduce(self, func, handles, args, combine):
        """``combine`` of ``func(h, *args)`` over every handle, as a tree; one round."""
        t0 = time.perf_counter()
        result = self._map_reduce(func, handles, args, combine)
        self.round_seconds.append(time.perf_counter() - t0)
        self.rounds += 1
        if _AFTER_ROUND is not None:
            _AFTER_ROUND(self, self.rounds)
        return result

    def reduce_blocks(self, func, blocks, starts, combine):
        """One round straight on the input's blocks (nothing persisted): ``combine`` of
        ``func(x, y, s, index, start)`` per row block, as a tree."""
        import dask

        t0 = time.perf_counter()
        parts = [dask.delayed(func, pure=True)(xb, yb, sb, i, starts[i])
                 for i, (xb, yb, sb) in enumerate(blocks)]
        while len(parts) > 1:
            parts = [dask.delayed(combine, pure=True)(*group) for group in _groups(parts)]
        result = self._compute(parts[0])
        self.round_seconds.append(time.perf_counter() - t0)
        self.rounds += 1
        return result


def _groups(items):
    return [items[i:i + FAN_IN] for i in range(0, len(items), FAN_IN)]


def _run_group(func, combine, args, *chunks):
    """One worker's share of a round: ``func`` on each of its chunks, combined locally.

    Returns ``(address of the worker that ran it, combined partial)``.
    """
    from distributed import get_worker

    parts = [func(c, *args) for c in chunks]
    return get_worker().address, combine(*parts)


def _combine_tagged(combine, *tagged):
    """A reduction task above the per-worker level: combine the partials, drop the tags."""
    return None, combine(*(part for _, part in tagged))


class DistributedRunner(Runner):
    """Tasks on a dask.distributed cluster; chunks stay on the workers as futures.

    A round is one task *per worker*, not per chunk: the task gets the
    futures of the chunks that live on that worker (pinned there, so no
    chunk moves), runs the kernel on each and adds the partials locally;
    the client adds the per-worker partials (a tree of reduction tasks
    above ``FAN_IN`` workers). On a 2-worker cluster this cut a round's
    scheduling overhead from ~120 ms (20 chunk tasks and 3 reduction
    tasks) to ~15 ms (2 tasks), measured on a loaded 2-core machine.

    Where the chunks live is asked once after they are built, and again
    when a task ran on a worker other than the one it was pinned to (its
    worker died: the scheduler recomputed the lost chunks elsewhere and
    ``allow_other_workers`` let the task follow them).
    """

    def __init__(self, client):
        super().__init__()
        self.client = client
        self._groups = None
        self.verbose_moves = False

    def persist(self, tasks):
        """``tasks``: dask.delayed objects, one per chunk. Returns their futures."""
        from distributed import wait

        futures = self.client.compute(tasks)
        wait(futures)
        for f in futures:
            if f.status == "error":
                try:
                    f.result()  # raises the chunk's own error (e.g. NaN in it), naming the chunk
                finally:
                    self.client.cancel(futures)
        self._locate(futures)
        return futures

    def _locate(self, handles):
        who = self.client.who_has(handles)
        groups = {}
        for i, h in enumerate(handles):
            holders = who.get(h.key) or [None]
            groups.setdefault(holders[0], []).append(i)
        self._groups = groups

    def _map_reduce(self, func, handles, args, combine):
        client, r = self.client, self.rounds
        name = getattr(func, "__name__", "part")
        if self._groups is None:
            self._locate(handles)
        parts = [
            client.submit(
                _run_group, func, combine, args, *[handles[i] for i in idx],
                key=f"fastgrad-{name}-{self.token}-{r}-{j}", pure=False,
                **({} if worker is None else {"workers": [worker], "allow_other_workers": True}),
            )
            for j, (worker, idx) in enumerate(self._groups.items())
        ]
        level = 0
        while len(parts) > FAN_IN:
            parts = [
                client.submit(_combine_tagged, combine, *group, pure=False,
                              key=f"fastgrad-sum-{self.token}-{r}-{level}-{j}")
                for j, group in enumerate(_groups(parts))
            ]
            level += 1
        tagged = client.gather(parts)
        moved = any(addr is None or addr != worker for (addr, _), worker in zip(tagged, self._groups))
        if moved or level:
            if self.verbose_moves:
                print(f"[fastgrad.dask] round {r}: chunks moved, locating them again")
            self._locate(handles)  # a worker was lost (or too many to tell): ask again
        return combine(*(part for _, part in tagged))

    def _compute(self, task):
        return self.client.compute(task).result()

    def release(self, handles):
        self.client.cancel(handles)


class ThreadedRunner(Runner):
    """Tasks on dask's threaded scheduler in this process (no client needed)."""

    def persist(self, tasks):
        import dask

        return list(dask.compute(*tasks, scheduler="threads"))

    def _map_reduce(self, func, handles, args, combine):
        from dask.threaded import get

        graph = {}
        keys = []
        for i, h in enumerate(handles):
            key = f"part-{i}"
            graph[key] = (func, h, *args)
            keys.append(key)
        level = 0
        while len(keys) > 1:
            nxt = []
            for j, group in enumerate(_groups(keys)):
                key = f"sum-{level}-{j}"
                graph[key] = (combine, *group)
                nxt.append(key)
            keys = nxt
            level += 1
        return get(graph, keys[0])

    def _compute(self, task):
        import dask

        return dask.compute(task, scheduler="threads")[0]

    def release(self, handles):
        pass
