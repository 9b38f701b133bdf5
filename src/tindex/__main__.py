"""Allow ``python -m tindex``."""

from tindex.cli import main

if __name__ == "__main__":
    main()
