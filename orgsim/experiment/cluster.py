"""Jobs on a Dask cluster: one client, the scenarios sent once per worker, longest first, the same orgsim everywhere.

:func:`orgsim.experiment.parallel.run_pool` and ``run_jobs`` hand over here
when given a scheduler (``--scheduler tcp://host:8786``, a cluster object or a
``distributed.Client``). What it does, and why:

- **One client per scheduler** for the whole process (:func:`client_for`): a
  study, its ``--attribute`` designs and its ``--precision`` rounds all go
  through one connection instead of opening one per call.
- **The same orgsim on every worker.** Before anything runs, each worker's
  orgsim (its version and a digest of its code, :func:`identity`) is compared
  with this one; a worker that differs is refused with one line naming it,
  because its numbers could differ. Every job checks again where it runs, so
  a worker that joins later is refused too.
- **Each scenario travels once per worker.** The study's distinct scenarios
  are installed on the workers as a worker plugin (:func:`scenarios_plugin`), which
  Dask also installs on any worker that joins later, a restarted one
  included; each job then crosses as (study, scenario index, seed, detail):
  a few hundred bytes instead of the pickled scenario (24 kB for an example).
  A plain map (``orgsim run --scheduler``: ``simulate`` bound to one
  scenario, over seeds) installs its function the same way, once per worker.
- **Longest first.** Each job's priority is its scenario's expected arrivals,
  so the long jobs start first and the last to finish is a short one.
- **Lost workers.** When a worker dies, the scheduler runs its jobs again on
  the others (up to ``distributed.scheduler.allowed-failures`` times a job);
  every job seeds itself, so the results are the same, byte for byte. A job
  that keeps killing workers is reported in one line (it likely needs more
  memory than a worker has).
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import pickle
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from orgsim.errors import OrgsimError

if TYPE_CHECKING:  # distributed is the ``distributed`` extra: imported where it is used
    import numpy as np
    from distributed import Client

    from orgsim.scenario.model import Scenario

__all__ = ["WorkerMismatch", "client_for", "identity", "map_on_cluster", "run_jobs_on_cluster", "scenarios_plugin"]

T = TypeVar("T")
R = TypeVar("R")


class WorkerMismatch(OrgsimError):
    """A worker runs another orgsim than this process: its numbers could differ, so it is refused."""


_IDENTITY: str | None = None


def identity() -> str:
    """This process's orgsim: its version and a digest of its code (``orgsim 0.1.0 (code 3f2a9c1b7d04)``).

    The version alone does not tell two checkouts apart (a development install
    keeps its version across commits); the digest of every ``.py`` file of the
    package does. Computed once per process (a few milliseconds).
    """
    global _IDENTITY
    if _IDENTITY is None:
        import orgsim

        root = Path(orgsim.__file__).parent
        digest = hashlib.sha256()
        for path in sorted(root.rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
        _IDENTITY = f"orgsim {orgsim.__version__} (code {digest.hexdigest()[:12]})"
    return _IDENTITY


def _check_here(expected: str) -> None:
    """In a job, on a worker: refuse to run with another orgsim than the one that sent the job."""
    here = identity()
    if here != expected:
        from distributed import get_worker

        raise WorkerMismatch(_mismatch(get_worker().address, here, expected))


def _mismatch(worker: str, there: str, here: str) -> str:
    return (f"--scheduler: worker {worker} runs {there}, this machine {here}; its numbers could differ, so it "
            "is refused: install the same orgsim on every worker (or remove that worker)")


# --- one client per scheduler ---------------------------------------------------------------------

#: the client of the scheduler last used (one at a time: a new scheduler closes the previous client)
_CLIENT: dict[str, Client] = {}


def client_for(scheduler: Any) -> Client:
    """The process's client of ``scheduler``: an address, a cluster object, or a ``Client`` (used as it is)."""
    from distributed import Client

    if isinstance(scheduler, Client):
        return scheduler
    address = scheduler if isinstance(scheduler, str) else getattr(scheduler, "scheduler_address", None)
    if not isinstance(address, str):
        raise OrgsimError(f"--scheduler {scheduler!r}: expected an address such as tcp://host:8786, a Dask cluster "
                          "or a distributed.Client")
    client = _CLIENT.get(address)
    if client is not None and client.status == "running":
        return client
    _close_clients()
    _check_address(address)
    try:
        client = Client(address, timeout="10s", set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        raise OrgsimError(f"--scheduler {address}: cannot reach the Dask scheduler ({exc})") from None
    _CLIENT[address] = client
    return client


def _check_address(address: str) -> None:
    """Refuse an address Dask cannot read before a client is made (a half-made client complains when Python exits)."""
    from distributed.comm import registry
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, where = parse_address(address)
        if scheme not in registry.backends:
            raise ValueError(f"{scheme}:// is not a Dask protocol; expected one of "
                             f"{', '.join(p + '://' for p in sorted(registry.backends))}")
        if scheme in ("tcp", "tls"):
            parse_host_port(where)
    except ValueError as exc:
        raise OrgsimError(f"--scheduler {address}: {exc} (expected an address such as tcp://host:8786)") from None


def _close_clients() -> None:
    while _CLIENT:
        _, client = _CLIENT.popitem()
        try:
            client.close()
        except Exception:  # noqa: BLE001  (a client of a scheduler already gone: nothing left to close)
            pass


atexit.register(_close_clients)


def _check_workers(client: Client) -> None:
    """Refuse the cluster, in one line, if any worker's orgsim differs from this one (see the module's note)."""
    here = identity()
    for worker, there in sorted(client.run(identity, on_error="return").items()):
        if isinstance(there, BaseException):
            there = f"an orgsim that cannot say which ({type(there).__name__}: {there})"
        if there != here:
            raise WorkerMismatch(_mismatch(worker, str(there), here))


# --- the scenarios, once per worker -----------------------------------------------------------------

#: in a worker: the scenarios of each study running on it (or the function of a map), by key (set by the plugin)
_INSTALLED: dict[str, tuple[Any, ...]] = {}


def _install(key: str, payload: bytes, expected: str, address: str) -> None:
    """On a worker: unpickle a study's scenarios (or a map's function), only if it runs the same orgsim."""
    if identity() != expected:
        raise WorkerMismatch(_mismatch(address, identity(), expected))
    _INSTALLED[key] = pickle.loads(payload)  # noqa: S301  (sent by this study's own client)


def _uninstall(key: str) -> None:
    """On a worker: forget a study's scenarios when it ends."""
    _INSTALLED.pop(key, None)


@functools.cache
def _plugin_class() -> type:
    """The worker plugin that installs a study's scenarios on every worker, and every worker that joins, once.

    Made here, not at the top of the module, because ``distributed`` is an extra; Dask then sends the class
    by value (cloudpickle), so its methods import what they call on the worker.
    """
    from distributed.diagnostics.plugin import WorkerPlugin

    class Scenarios(WorkerPlugin):  # type: ignore[misc]
        def __init__(self, key: str, payload: bytes, expected: str) -> None:
            self.key, self.payload, self.expected = key, payload, expected
            self.name = f"orgsim-scenarios-{key}"

        def setup(self, worker: Any) -> None:
            from orgsim.experiment.cluster import _install

            _install(self.key, self.payload, self.expected, worker.address)

        def teardown(self, worker: Any) -> None:
            from orgsim.experiment.cluster import _uninstall

            _uninstall(self.key)

    return Scenarios


def scenarios_plugin(key: str, scenarios: Sequence[Scenario], expected: str) -> Any:
    """A worker plugin holding ``scenarios`` (pickled once) for study ``key``, for workers running ``expected``."""
    return _plugin_class()(key, pickle.dumps(tuple(scenarios), protocol=pickle.HIGHEST_PROTOCOL), expected)


def _run_installed(key: str, k: int, seed: np.random.SeedSequence, detail: bool, expected: str) -> dict[str, Any]:
    """One job on a worker: scenario ``k`` of study ``key``, as installed by :func:`scenarios_plugin`'s plugin."""
    from orgsim.experiment.parallel import Job, run_job

    _check_here(expected)
    scenarios = _INSTALLED.get(key)
    if scenarios is None:  # the plugin's setup failed here: the worker's log says why
        from distributed import get_worker

        raise OrgsimError(f"--scheduler: worker {get_worker().address} does not hold the study's scenarios "
                          "(installing them failed; see that worker's log)")
    return run_job(Job(scenarios[k], seed, detail))


def _run_mapped(key: str, expected: str, item: T) -> Any:
    """``fn(item)`` on a worker, where ``fn`` was installed once for call ``key`` (:func:`map_on_cluster`)."""
    _check_here(expected)
    installed = _INSTALLED.get(key)
    if installed is None:  # the plugin's setup failed here: the worker's log says why
        from distributed import get_worker

        raise OrgsimError(f"--scheduler: worker {get_worker().address} does not hold the function to run "
                          "(installing it failed; see that worker's log)")
    return installed[0](item)


# --- running --------------------------------------------------------------------------------------


def run_jobs_on_cluster(scheduler: Any, scenarios: Sequence[Scenario],
                        jobs: Sequence[tuple[int, np.random.SeedSequence, bool]], priorities: Sequence[int],
                        finished: Callable[[int, int, dict[str, Any]], None]) -> None:
    """Run ``jobs`` (scenario index, seed, detail) on the cluster; ``finished(count, index, figures)`` as each ends.

    ``scenarios`` are installed once per worker; ``priorities`` (higher first) order the jobs.
    """
    client = client_for(scheduler)
    _check_workers(client)
    expected, key = identity(), uuid.uuid4().hex
    plugin = scenarios_plugin(key, scenarios, expected)
    client.register_plugin(plugin, name=plugin.name)
    try:
        _collect(client, [client.submit(_run_installed, key, k, seed, detail, expected, priority=p, pure=False)
                          for (k, seed, detail), p in zip(jobs, priorities, strict=True)], finished)
    finally:
        _quietly(client.unregister_worker_plugin, plugin.name)


def map_on_cluster(scheduler: Any, fn: Callable[[T], R], items: Sequence[T],
                   finished: Callable[[int, int, R], None], priorities: Sequence[int] | None = None) -> None:
    """``fn(item)`` for every item on the cluster, each checked for the same orgsim; ``finished`` as each ends.

    ``fn`` (``replicate``'s ``simulate`` bound to its scenario: 24 kB for an example) is installed once
    per worker, as a study's scenarios are; each task carries only its item (a seed) and a key. An item
    that is itself a scenario to run (a resilience study's stressed copies: each differs) travels with its
    task, once. ``priorities`` (higher first) order the tasks.
    """
    from distributed.protocol.pickle import dumps

    client = client_for(scheduler)
    _check_workers(client)
    expected, key = identity(), uuid.uuid4().hex
    plugin = _plugin_class()(key, dumps((fn,)), expected)  # by value where pickle cannot (a lambda, a local)
    client.register_plugin(plugin, name=plugin.name)
    try:
        ranks = [0] * len(items) if priorities is None else priorities
        _collect(client, [client.submit(_run_mapped, key, expected, item, priority=p, pure=False)
                          for item, p in zip(items, ranks, strict=True)], finished)
    finally:
        _quietly(client.unregister_worker_plugin, plugin.name)


def _collect(client: Client, futures: list[Any], finished: Callable[[int, int, Any], None]) -> None:
    """Hand each future's value to ``finished`` as it completes; on an error, cancel the rest and say it in one line.

    A finished future is let go at once, so the cluster frees its value (``futures`` is emptied).
    """
    from distributed import CancelledError, as_completed
    from distributed.scheduler import KilledWorker

    pending = {f.key: (i, f) for i, f in enumerate(futures)}
    done = as_completed(futures, loop=client.loop)
    futures.clear()
    try:
        for count, fut in enumerate(done, start=1):
            i, _ = pending.pop(fut.key)
            finished(count, i, fut.result())
    except KilledWorker:
        raise OrgsimError("--scheduler: a job was running on every worker that died under it (the scheduler's "
                          "distributed.scheduler.allowed-failures): it likely needs more memory than a worker "
                          "has") from None
    except CancelledError:
        raise OrgsimError("--scheduler: the cluster cancelled the jobs (its scheduler was restarted or closed)") from None
    finally:
        _quietly(client.cancel, [f for _, f in pending.values()])


def _quietly(call: Callable[..., Any], *args: Any) -> None:
    """Clean-up that must not hide the error being raised (the scheduler may be gone)."""
    try:
        call(*args)
    except Exception:  # noqa: BLE001
        pass
