"""What a handler receives and answers, whatever the transport: the caller, the fields (absent and blank apart),
the store, and the idempotent write of an answer."""
