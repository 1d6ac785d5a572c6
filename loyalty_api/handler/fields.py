"""Reading the request's fields: absent and blank are different things.

``Fields`` wraps the merged field dict.  ``raw(name)`` is ``None`` when the field was not sent and
the string (possibly ``""``) when it was; ``value(name)`` is the trimmed value or ``None`` when the
field is absent or blank.
"""

from __future__ import annotations

from collections.abc import Mapping

from loyalty_api.errors import ApiError

__all__ = ["Fields"]


class Fields:
    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, str]) -> None:
        self._data = data

    def __contains__(self, name: object) -> bool:
        return name in self._data

    def raw(self, name: str) -> str | None:
        """The value as sent (``""`` when blank), ``None`` when absent."""
        return self._data.get(name)

    def value(self, name: str) -> str | None:
        """The trimmed value, ``None`` when absent or blank."""
        raw = self._data.get(name)
        if raw is None:
            return None
        text = raw.strip()
        return text or None

    def sent(self, names: frozenset[str]) -> frozenset[str]:
        """Those of ``names`` the request sent (blank or not).  Cheaper than asking for each of many names that are
        mostly absent: one pass over the few fields a request has."""
        return names.intersection(self._data)

    def names(self) -> list[str]:
        """The names of the fields the request sent, in no particular order."""
        return list(self._data)

    def is_blank(self, name: str) -> bool:
        """Sent, but with nothing in it (after trimming)."""
        raw = self._data.get(name)
        return raw is not None and not raw.strip()

    def required(self, name: str) -> str:
        text = self.value(name)
        if text is None:
            raise ApiError("parameter_missing", field=name)
        return text

    def first_with_nul(self) -> str | None:
        """The name of the first field whose name or value holds a NUL character (no database stores NUL text)."""
        for name, value in self._data.items():
            if "\0" in value or "\0" in name:
                return name
        return None

    def as_dict(self) -> dict[str, str]:
        return dict(self._data)
