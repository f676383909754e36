"""uvicorn's process manager for ``basel-kg serve``, with one mend.

uvicorn's :class:`~uvicorn.supervisors.Multiprocess` asks each server process whether it is
alive over a pipe (a ping, answered by a thread in the server process) and waits up to
``timeout_worker_healthcheck`` for the answer. It keeps its own copy of the pipe's child end,
so a server process that dies while a ping is on its way never closes the pipe: the wait runs
its whole length (300 s here, see :data:`.cli.HEALTHCHECK_SECONDS`) before the process is
started again, and Ctrl-C waits for it too. A process killed while it was busy (its ping
thread waiting for the interpreter lock) hit that window. Once a server process has started
(it has its own copy of the pipe), :class:`Supervisor` closes the supervisor's copy of the
child end, so the process's death ends the wait at once (end of file on the pipe).
"""

from __future__ import annotations

from uvicorn.supervisors import Multiprocess

__all__ = ["Supervisor"]


class Supervisor(Multiprocess):
    """:class:`~uvicorn.supervisors.Multiprocess` that notices a server process's death during a ping."""

    def keep_subprocess_alive(self) -> None:
        for process in self.processes:
            if process.process.pid is not None and not process.child_conn.closed:
                process.child_conn.close()
        super().keep_subprocess_alive()
