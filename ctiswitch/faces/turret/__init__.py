"""The OpenScape Xpert Turret API face (Apache Thrift, TCP 9007).

- `turret.thrift`: our transcription of the vendor IDL; `idl` loads it once.
- `wire`: the sans-I/O codec for both sockets of the API (requests in,
  replies out; notifications out to each subscriber). Its public names are
  the ones the server and translate layers use.
- `reader` / `writer`: the binary protocol underneath, read incrementally
  and written with every value checked against the IDL.
"""
