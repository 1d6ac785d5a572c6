"""Tests through the HTTP surface (the real app under a Starlette TestClient), on every store: one module per
legacy call, and modules for what cuts across the calls."""
