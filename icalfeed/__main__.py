"""``python -m icalfeed`` is the ``icalfeed`` command."""

from icalfeed.cli import main

if __name__ == "__main__":
    main()
