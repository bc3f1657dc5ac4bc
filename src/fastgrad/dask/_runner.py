"""Where the per-chunk tasks run: a dask.distributed cluster, or local threads.

A fit talks to the data only through a ``Runner``:

* ``persist(tasks)`` builds the validated chunks (one task per row block)
  and keeps them where they were built -- on the workers of a cluster, in
  this process's memory for the threaded scheduler. It returns handles
  (futures, or the chunks themselves).
* ``map_reduce(func, handles, args, combine)`` is one *round*: one task per
  chunk (``func(chunk, *args)``, a compiled pass giving partial sums), then a
  tree reduction (``combine`` over groups of ``FAN_IN`` partials, level by
  level). Only the final reduced value -- a few d-sized arrays -- comes back
  to the client; no chunk is ever sent to it.

On a cluster every task is submitted at once (the scheduler sees the
whole round) and the client waits for one result: one round trip per
round. The scheduler keeps every chunk's lineage, so a worker that dies
mid-fit costs the recomputation of its chunks, then the round completes
with the same numbers (the reduction tree, and so the order of every sum,
is fixed by the chunk order, not by which task finishes first).
"""

import time
import uuid

__all__ = []

#: Partials combined per reduction task: two levels for up to 64 chunks.
FAN_IN = 8

#: Test hook: called as ``hook(runner, round_index)`` after every round (a test
#: kills a worker here, to check that a fit survives it). None in normal use.
_AFTER_ROUND = None


def _client_or_none():
    """The default dask.distributed client, or None (then local threads run the tasks)."""
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


class DistributedRunner(Runner):
    """Tasks on a dask.distributed cluster; chunks stay on the workers as futures."""

    def __init__(self, client):
        super().__init__()
        self.client = client

    def persist(self, tasks):
        """``tasks``: dask.delayed objects, one per chunk. Returns their futures."""
        return self.client.compute(tasks)

    def _map_reduce(self, func, handles, args, combine):
        client, r = self.client, self.rounds
        name = getattr(func, "__name__", "part")
        parts = [
            client.submit(func, h, *args, key=f"fastgrad-{name}-{self.token}-{r}-{i}", pure=False)
            for i, h in enumerate(handles)
        ]
        level = 0
        while len(parts) > 1:
            parts = [
                client.submit(combine, *group, key=f"fastgrad-sum-{self.token}-{r}-{level}-{j}",
                              pure=False)
                for j, group in enumerate(_groups(parts))
            ]
            level += 1
        return parts[0].result()

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
