"""The O2G telephony service (o2g.md §2.4): call control on a user's devices,
the seven telephony events, and the telephony-adjacent features (callbacks,
mini messages, hunting groups, park, pickup).

``views`` projects engine state into one user's O2G calls, ``capabilities``
computes what that user may do, ``notifier`` diffs the views after every
engine batch into events, ``errors`` maps engine refusals, and ``routes``
serves the REST methods.
"""
