"""Why the server could not start, as one line for the terminal."""
from __future__ import annotations


class StartupError(Exception):
    """The server cannot start: a port is taken, the data folder is not
    writable. The CLI prints the message and exits 1, without a traceback,
    because the fix is in the user's hands, not in the code."""
