"""``python -m deeparch ARGS`` run inside the test's own process: the same parser, refusals and output as the
command line, without the seconds a new Python with torch costs. For what needs no process of its own
(refusals, help, listings); a test of what a real process does (a worker it starts, its exit on a signal)
runs the command as a process (tests/test_cli.py)."""
from __future__ import annotations

import contextlib
import io
import os
from dataclasses import dataclass


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, env: dict | None = None, unset: tuple[str, ...] = ()) -> Done:
    """The command's exit code, standard output and error, with ``env`` added to the environment and the
    names in ``unset`` removed for its duration (restored after, with the process language)."""
    from deeparch import cli
    from deeparch.present import i18n

    saved, lang, resolver = dict(os.environ), i18n._process_lang, i18n._resolver
    os.environ.update(env or {})
    for name in unset:
        os.environ.pop(name, None)
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli.main(list(args))
            except SystemExit as e:  # argparse: --help (0) and its own refusals (2)
                code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    finally:
        os.environ.clear()
        os.environ.update(saved)
        i18n.set_lang(lang)
        i18n.set_resolver(resolver)  # a page test later in this process reads its session's language again
    return Done(code or 0, out.getvalue(), err.getvalue())
