"""The Avaya IP Office MTCTI-3 face: protobuf messages over a secure WebSocket.

Modules: ``mtcti3.proto`` / ``mtcti3_pb2`` (the message schema, rebuilt from
spec/mtcti3.md section 2), ``wire`` (WebSocket payload <-> ``Message``) and
``constants`` (transport names, feature bits, result codes, limits).
"""
