"""Allow ``python -m tindex``; also the console script's entry point.

Loading tindex and typer takes a few hundred milliseconds: an interrupt (Ctrl-C) in that
time must end the run with the same one line as later, not with a traceback of the import.
"""

import sys


class _Early:
    """An interrupt while the CLI loads (tindex.errors' watcher takes over once it has)."""

    seen = False


def _interrupted(signum: int, frame: object) -> None:
    _Early.seen = True
    raise KeyboardInterrupt


def _quiet(unraisable: "sys.UnraisableHookArgs") -> None:
    """Python swallows a KeyboardInterrupt raised while an import releases its lock and
    prints "Exception ignored ...": the flag above records it, and the run ends with one line."""
    if not isinstance(unraisable.exc_value, KeyboardInterrupt):
        sys.__unraisablehook__(unraisable)


def main() -> None:
    """Console-script entry point: watch for Ctrl-C, import the CLI, then run it."""
    try:
        # The handler goes in before any import: the C module behind `signal` is loaded
        # with the interpreter, and importing `signal` itself would leave a window in which
        # Python's default handler could be swallowed by the import machinery (exit 0 after
        # a stray "Exception ignored" instead of exit 130).
        signals = sys.modules.get("_signal") or __import__("signal")
        signals.signal(signals.SIGINT, _interrupted)
        sys.unraisablehook = _quiet
        from tindex.cli import main as run_cli
        if _Early.seen:  # pressed during an import, which swallowed it
            raise KeyboardInterrupt
        from tindex.errors import watch_interrupts

        watch_interrupts()  # the CLI's own watcher from here on
    except KeyboardInterrupt:
        _stop()
    except Exception:
        if _Early.seen:  # an interrupt inside a class body comes out as RuntimeError (3.11)
            _stop()
        raise
    try:
        run_cli()
    except KeyboardInterrupt:  # between the watcher taking over and the CLI's own handling
        _stop()


def _stop() -> None:
    sys.stderr.write("tindex: error: interrupted\n")
    sys.exit(130)


if __name__ == "__main__":
    main()
