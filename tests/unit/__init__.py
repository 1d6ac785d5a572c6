"""Pure tests: renderers, the protocol, values, rules, the error catalogue, docs, the bench helpers."""
