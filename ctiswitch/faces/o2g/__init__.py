"""The ALE O2G REST face: ``/api/rest`` over the shared HTTPS listener.

``api`` is the contract every O2G service module builds on (sessions,
errors, event publication, service registration); ``server`` assembles the
services into one Starlette sub-application and plugs it into the server.
"""
