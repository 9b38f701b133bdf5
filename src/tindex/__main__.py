"""Allow ``python -m tindex``; also the console script's entry point.

Loading tindex and typer takes a few hundred milliseconds: an interrupt (Ctrl-C) in that
time must end the run with the same one line as later, not with a traceback of the import.
"""

import sys


def main() -> None:
    """Console-script entry point: import the CLI, then run it."""
    try:
        from tindex.errors import Interrupts, watch_interrupts

        watch_interrupts()
        from tindex.cli import main as run_cli
        if Interrupts.seen:  # pressed during the import, where Python swallowed it
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        sys.stderr.write("tindex: error: interrupted\n")
        sys.exit(130)
    run_cli()


if __name__ == "__main__":
    main()
