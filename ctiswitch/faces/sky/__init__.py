"""The ShoreTel Sky Hosted API face: click-to-dial over HTTPS GET or a chunked XML POST.

``wire`` holds the pure encoding and decoding (requests, the request stream,
responses, the error catalogue, dial-number rules); the transport and the
translation to engine commands live beside it.
"""
