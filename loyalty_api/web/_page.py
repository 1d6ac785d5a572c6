"""The page a browser gets when it opens ``/api.php`` with no fields: what this is and where its documentation is."""

from __future__ import annotations

from typing import Final

__all__ = ["PAGE", "PAGE_CONTENT_TYPE", "PAGE_HEADERS"]

PAGE_CONTENT_TYPE: Final = "text/html; charset=utf-8"
# A fixed page: no script, no style, nothing loaded from anywhere.
PAGE_HEADERS: Final = ((b"content-security-policy", b"default-src 'none'"),)
PAGE: Final = b"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>loyalty-api</title></head>
<body>
<h1>loyalty-api</h1>
<p>This address is the <code>api.php</code> endpoint of a loyalty-program server (the Sticky Street / Loyalty Gator
protocol). Programs call it, by GET or POST, with fields such as <code>type</code>, <code>account_id</code>,
<code>user_id</code> and <code>user_api_key</code>, and get XML or JSON back: there is nothing more to see in a
browser.</p>
<p>The documentation comes with the server's source: <code>README.md</code> (a quick start, every call and every
error) and the <code>docs/</code> folder; on the machine that runs it, <code>loyalty-api --help</code>.</p>
</body>
</html>
"""
