"""Helpers shared by the tests of every kind: the demo world's users and ids, calls to the API, the stores, the
operator's CLI, golden files, live servers."""
