"""Tests of the whole system: live uvicorn servers, crashes, several nodes, concurrency, write batches, the CLI."""
