"""An immutable sequence that grows at its end in O(1): what a run's path,
calls and notes are, so that folding a long run costs linear time.

A `Chain` is a view of the first ``len`` items of a list it may share with
longer chains. Adding to the newest chain appends to that shared list in
place; adding to an older one (a branch: a test cloning a run, a state kept
per moment) copies its own items first. No chain ever sees an item added
after it was made, so every chain behaves as the tuple it replaces.

A live run adds each event twice: to the scratch state `decide` folds ahead,
then to the run's own once the event is on disk. The second finds the same
item already next in the shared list and shares it instead of copying.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")


class Chain(Sequence[T], Generic[T]):
    """A tuple-like, append-only sequence whose `plus` costs O(1) amortised."""

    __slots__ = ("_items", "_len", "_hash")

    def __init__(self, items: Sequence[T] = ()) -> None:
        self._items: list[T] = list(items)
        self._len = len(self._items)
        self._hash: int | None = None

    @classmethod
    def _view(cls, items: list[T], length: int) -> Chain[T]:
        chain: Chain[T] = cls.__new__(cls)
        chain._items, chain._len, chain._hash = items, length, None
        return chain

    def plus(self, item: T) -> Chain[T]:
        """This chain with ``item`` at its end (this chain is unchanged)."""
        items, length = self._items, self._len
        if len(items) != length:
            if items[length] == item:  # the longer chain added this very item: share it
                return Chain._view(items, length + 1)
            items = items[:length]  # a longer chain shares the list: branch off a copy
        items.append(item)
        return Chain._view(items, length + 1)

    def __len__(self) -> int:
        return self._len

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[T, ...]: ...
    def __getitem__(self, index: int | slice) -> T | tuple[T, ...]:
        if isinstance(index, slice):
            return tuple(self._items[: self._len][index])
        if index < 0:
            index += self._len
        if not 0 <= index < self._len:
            raise IndexError("chain index out of range")
        return self._items[index]

    def __iter__(self) -> Iterator[T]:
        items = self._items
        for i in range(self._len):
            yield items[i]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Chain):
            return self._len == other._len and (self._items is other._items
                                                 or self._items[: self._len] == other._items[: other._len])
        if isinstance(other, tuple):
            return self._len == len(other) and tuple(self) == other
        return NotImplemented

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(tuple(self))
        return self._hash

    def __repr__(self) -> str:
        return f"Chain({list(self)!r})"

    def __reduce__(self) -> tuple[Any, ...]:  # pickles (and deep-copies) as its own items only
        return (Chain, (list(self),))
