"""Plain classes behave as the dataclasses they replace (issue #18: start-up)."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest

from tracerun.plain import HOT, FrozenError, field, fields, is_plain, plain, replace


@plain(frozen=True, slots=True)
class Point:
    x: int
    y: int = 0
    tags: list[str] = field(default_factory=list)
    note: str = field(default="", compare=False)


@plain(frozen=True, kw_only=True)
class Base:
    name: str
    size: int = 1


@plain(frozen=True, kw_only=True)
class Child(Base):
    kind: str = "child"
    size: int = 2


@plain(slots=True)
class Mutable:
    items: list[int] = field(default_factory=list)
    count: int = 0

    def __post_init__(self) -> None:
        self.count = len(self.items)


@plain(slots=True, eq=False)
class Identity:
    value: int


@dataclasses.dataclass(frozen=True, slots=True)
class Twin:
    x: int
    y: int = 0
    tags: list[str] = dataclasses.field(default_factory=list)
    note: str = dataclasses.field(default="", compare=False)


def test_init_takes_positional_and_keyword_fields_with_defaults() -> None:
    point = Point(1, tags=["a"])

    assert (point.x, point.y, point.tags, point.note) == (1, 0, ["a"], "")
    assert Point(2).tags is not Point(2).tags  # a fresh list each time
    assert Point.__match_args__ == ("x", "y", "tags", "note")


def test_repr_eq_and_hash_are_the_dataclass_ones() -> None:
    ours, theirs = Point(1, 2, ["a"], "n"), Twin(1, 2, ["a"], "n")

    assert repr(ours) == repr(theirs).replace("Twin", "Point")
    assert ours == Point(1, 2, ["a"], "other")  # note does not compare
    assert ours != Point(1, 3, ["a"], "n")
    assert ours != theirs
    assert hash(Point(1, 2, (), "")) == hash(Point(1, 2, (), "x"))  # type: ignore[arg-type]
    assert Mutable.__hash__ is None
    left, right = Identity(1), Identity(1)
    assert left != right
    assert left == left


def test_wrong_arguments_fail_as_a_dataclass_would() -> None:
    with pytest.raises(TypeError, match=r"missing 1 required positional argument: 'x'"):
        Point()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'z'"):
        Point(1, z=2)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match=r"takes from 2 to 5 positional arguments"):
        Point(1, 2, [], "", 5)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match=r"takes 1 positional argument"):
        Base("x")  # type: ignore[misc]


def test_frozen_fields_cannot_be_assigned_nor_deleted() -> None:
    point = Point(1)

    with pytest.raises(FrozenError, match=r"^cannot assign to field 'x'$"):
        point.x = 2  # type: ignore[misc]
    with pytest.raises(FrozenError, match=r"^cannot delete field 'y'$"):
        del point.y  # type: ignore[misc]
    assert isinstance(FrozenError("x"), AttributeError)
    assert not hasattr(point, "__dict__")
    assert Point.__slots__ == ("x", "y", "tags", "note")  # type: ignore[attr-defined]


def test_a_subclass_adds_and_overrides_fields_in_place() -> None:
    child = Child(name="c")

    assert [f.name for f in fields(child)] == ["name", "size", "kind"]
    assert (child.name, child.size, child.kind) == ("c", 2, "child")
    assert repr(child) == "Child(name='c', size=2, kind='child')"
    assert Child(name="c") != Base(name="c", size=2)


def test_post_init_runs_and_mutable_fields_can_be_set() -> None:
    made = Mutable([1, 2], 9)
    counted = made.count
    made.count = 9

    assert counted == 2
    assert made.count == 9
    assert made != Mutable([1, 2])
    assert Mutable().count == 0


def test_replace_copies_with_changes_and_takes_dataclasses_too() -> None:
    point = Point(1, 2, ["a"], "n")

    assert replace(point, y=5) == Point(1, 5, ["a"], "n")
    assert replace(point, note="m").note == "m"
    assert replace(Child(name="c"), kind="k") == Child(name="c", kind="k")
    assert replace(Twin(1), y=3) == Twin(1, 3)
    assert is_plain(point)
    assert is_plain(Point)
    assert not is_plain(Twin(1))


def test_frozen_slotted_instances_pickle_and_copy() -> None:
    point = Point(1, 2, ["a"], "n")

    again = pickle.loads(pickle.dumps(point))

    assert (again.x, again.y, again.tags, again.note) == (1, 2, ["a"], "n")
    assert copy.deepcopy(point) == point
    assert copy.copy(Child(name="c")) == Child(name="c")


def test_a_hot_class_compiles_its_init_and_keeps_its_behaviour() -> None:
    @plain(frozen=True)
    class Hot:
        a: int
        b: list[int] = field(default_factory=list)

    with pytest.raises(TypeError, match=r"unexpected keyword argument 'c'"):
        Hot(1, c=2)  # type: ignore[call-arg]
    made = [Hot(n) for n in range(HOT + 2)]

    assert Hot.__init__.__qualname__.endswith("Hot.__init__")
    assert [m.a for m in made] == list(range(HOT + 2))
    assert made[0].b is not made[-1].b
    assert made[-1] == Hot(HOT + 1, [])
