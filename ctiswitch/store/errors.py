"""The one exception the store raises."""


class StoreError(Exception):
    """A store call was refused or failed; nothing was written.

    Bad input (a value that is not JSON, a wrong type, an unknown message kind)
    and SQLite failures (a full disk, a file that is not a database, a closed
    store) all surface as this one type, so the bridge has a single thing to
    catch and can answer the API request with an error instead of an
    acknowledgement.
    """
