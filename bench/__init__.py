"""The benchmark suite: ``python -m bench [--quick] [--big] [--profile] [--scenarios ...]``.

It starts a bare Starlette reference app and loyalty-api on loopback, drives both with wrk from alternating runs of
the same script and reports loyalty-api's requests/s as a share of the reference's, measured side by side in one run
(see ``docs/performance.md``).  Nothing here is imported by the server.
"""
