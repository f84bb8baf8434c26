"""`python -m geo ...`: the command line's entry point, kept for scripts and the README.

The commands live in the application (yishi.cli); this shim only starts them.
"""

from yishi.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
