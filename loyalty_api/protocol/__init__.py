"""The legacy ``api.php`` protocol."""

from loyalty_api.protocol.forms import (
    MAX_BODY_BYTES,
    MAX_FIELDS,
    FormError,
    MalformedBody,
    RequestTooLarge,
    TooManyFields,
    UnsupportedMediaType,
    parse_fields,
    read_body,
)

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_FIELDS",
    "FormError",
    "MalformedBody",
    "RequestTooLarge",
    "TooManyFields",
    "UnsupportedMediaType",
    "parse_fields",
    "read_body",
]
