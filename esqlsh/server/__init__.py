"""``esqlsh serve``: an Elasticsearch-compatible REST node over one embedded cluster.

``command`` is the click command (light: importing it loads neither the engine nor
the HTTP stack); ``app`` the ASGI application (routing, authentication, the body
limit, errors, the access log); ``handlers`` the endpoints; ``run`` the uvicorn
bootstrap. The REST contract is DESIGN.md §4 and §6; the responses are shaped
after Elasticsearch's own classes, named in each module.
"""
