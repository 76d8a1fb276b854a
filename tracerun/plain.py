"""Plain value classes: what `dataclasses.dataclass` gives, at a fraction of its start-up cost.

Why (issue #18): `dataclasses` imports `inspect`, `ast`, `dis` and `tokenize`
(~11 ms), and each class it builds runs `exec` once per generated method
(~0.5 ms a class; a plain trace builds ~50). Here a class is built with no
`exec`: `__repr__`, `__eq__`, `__hash__` and the frozen `__setattr__` are shared
functions reading the class's field names; a class's first instances run a
generic `__init__`, and a class that makes many (HOT) compiles its own, once: a class that is made a few times costs no `exec`, and
one that is made often runs the same code a dataclass's `__init__` would.

The subset the package uses: `frozen`, `eq`, `kw_only`, `slots`, fields with a
`default` or `default_factory`, `compare=False`, `repr=False`. Mypy reads the
decorator as a dataclass (`dataclass_transform`).
"""

from __future__ import annotations

from operator import attrgetter

TYPE_CHECKING = False  # not typing's: this module is imported by every run
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar

    from typing_extensions import dataclass_transform

    T = TypeVar("T")
else:

    def dataclass_transform(**_: object) -> object:
        return lambda function: function


__all__ = ["FrozenError", "field", "fields", "is_plain", "plain", "replace"]


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class FrozenError(AttributeError):
    """An attempt to assign a field of a frozen class (dataclasses' FrozenInstanceError)."""


class Field:
    """One field: its name, default or factory, and whether eq and repr read it."""

    __slots__ = ("compare", "default", "factory", "kw_only", "name", "repr")

    def __init__(
        self,
        default: Any = MISSING,
        factory: Any = MISSING,
        *,
        compare: bool = True,
        repr: bool = True,
    ) -> None:
        self.name = ""
        self.default = default
        self.factory = factory
        self.compare = compare
        self.repr = repr
        self.kw_only = False

    def has_default(self) -> bool:
        """Tell whether `__init__` may leave this field out."""
        return self.default is not MISSING or self.factory is not MISSING


def field(
    *,
    default: Any = MISSING,
    default_factory: Callable[[], Any] | Any = MISSING,
    compare: bool = True,
    repr: bool = True,
) -> Any:
    """Describe a field with a default, a factory or options (`dataclasses.field`)."""
    return Field(default, default_factory, compare=compare, repr=repr)


_FIELDS = "__plain_fields__"


@dataclass_transform(field_specifiers=(field,))
def plain(
    cls: type[T] | None = None,
    /,
    *,
    frozen: bool = False,
    eq: bool = True,
    kw_only: bool = False,
    slots: bool = False,
) -> Any:
    """Make `cls` a value class of its annotated fields, as `@dataclass(...)` would."""

    def build(cls: type[T]) -> type[T]:
        return _build(cls, frozen=frozen, eq=eq, kw_only=kw_only, slots=slots)

    return build if cls is None else build(cls)


def fields(obj: Any) -> tuple[Field, ...]:
    """Return the fields of a plain class or instance, in order (`dataclasses.fields`)."""
    found: dict[str, Field] = getattr(obj, _FIELDS)
    return tuple(found.values())


def is_plain(obj: Any) -> bool:
    """Tell whether `obj` is a plain class or an instance of one."""
    return hasattr(obj, _FIELDS)


def replace(obj: T, /, **changes: Any) -> T:
    """Return a copy of `obj` with `changes` (`dataclasses.replace`).

    A class the standard `dataclasses` built is copied by it.
    """
    found: dict[str, Field] | None = getattr(obj, _FIELDS, None)
    if found is None:
        import dataclasses  # noqa: PLC0415 - start-up: only for a class still built by it

        return dataclasses.replace(obj, **changes)  # type: ignore[type-var]
    for name in found:
        if name not in changes:
            changes[name] = getattr(obj, name)
    return type(obj)(**changes)


def _build(
    cls: type[T], *, frozen: bool, eq: bool, kw_only: bool, slots: bool
) -> type[T]:
    found: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        found.update(base.__dict__.get(_FIELDS, {}))
    own = cls.__dict__.get("__annotations__", {})  # noqa: RUF063 - inspect costs start-up
    names = [name for name, kind in own.items() if not _is_classvar(kind)]
    for name in names:
        value = cls.__dict__.get(name, MISSING)
        spec = value if isinstance(value, Field) else Field(value)
        spec.name = name
        spec.kw_only = kw_only
        found[name] = spec  # an overridden field keeps its place, as in dataclasses
        if isinstance(value, Field):
            if spec.default is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, spec.default)
    body = dict(cls.__dict__)
    if slots:
        inherited = {
            n for base in cls.__mro__[1:] for n in base.__dict__.get("__slots__", ())
        }
        body["__slots__"] = tuple(n for n in names if n not in inherited)
        for name in names:
            body.pop(name, None)
        body.pop("__dict__", None)
        body.pop("__weakref__", None)
    body[_FIELDS] = found
    body["__match_args__"] = tuple(n for n, f in found.items() if not f.kw_only)
    explicit_hash = "__hash__" in cls.__dict__ and not (
        cls.__dict__["__hash__"] is None and "__eq__" in cls.__dict__
    )
    if "__repr__" not in cls.__dict__:
        body["__repr__"] = _repr_of(tuple(n for n, f in found.items() if f.repr))
    if eq and "__eq__" not in cls.__dict__:
        key = _getter(tuple(n for n, f in found.items() if f.compare))
        body["__eq__"] = _eq_of(key)
        if not explicit_hash:
            body["__hash__"] = _hash_of(key) if frozen else None
    if frozen:
        body["__setattr__"] = _frozen_setattr
        body["__delattr__"] = _frozen_delattr
        if slots:
            body["__getstate__"] = _getstate
            body["__setstate__"] = _setstate
    if "__init__" not in cls.__dict__:
        body["__init__"] = None  # set below, once the class (rebuilt) exists
    built: Any
    if slots:
        built = type(cls)(cls.__name__, cls.__bases__, body)  # type: ignore[misc]
        built.__qualname__ = cls.__qualname__
    else:
        built = cls
        for name, value in body.items():
            if (
                name not in ("__dict__", "__weakref__")
                and cls.__dict__.get(name) is not value
            ):
                setattr(cls, name, value)
    if body["__init__"] is None:
        built.__init__ = _lazy_init(built, frozen=frozen)
    made: type[T] = built
    return made


def _is_classvar(kind: object) -> bool:
    text = kind if isinstance(kind, str) else repr(kind)
    return text.startswith(("ClassVar", "typing.ClassVar"))


def _getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return lambda _obj: ()


def _repr_of(names: tuple[str, ...]) -> Callable[[Any], str]:
    def __repr__(self: Any) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{type(self).__qualname__}({inner})"

    return __repr__


def _eq_of(key: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any, object], bool]:
    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return key(self) == key(other)

    return __eq__


def _hash_of(key: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any], int]:
    def __hash__(self: Any) -> int:
        return hash(key(self))

    return __hash__


def _frozen_setattr(self: Any, name: str, value: object) -> None:  # noqa: ARG001
    msg = f"cannot assign to field {name!r}"
    raise FrozenError(msg)


def _frozen_delattr(self: Any, name: str) -> None:  # noqa: ARG001
    msg = f"cannot delete field {name!r}"
    raise FrozenError(msg)


def _getstate(self: Any) -> list[Any]:
    return [getattr(self, name) for name in getattr(self, _FIELDS)]


def _setstate(self: Any, state: list[Any]) -> None:
    for name, value in zip(getattr(self, _FIELDS), state, strict=True):
        object.__setattr__(self, name, value)


HOT = 64
"""Instances a class makes through the generic `__init__` before its own is compiled."""


def _lazy_init(owner: type, *, frozen: bool) -> Callable[..., None]:
    """Make a generic `__init__` that compiles the class's own once it is hot.

    Why: compiling costs ~0.1 ms a class, and most classes of a short run make
    a few instances; a class that makes many (Record, Hit) gets the compiled
    one, which is what a dataclass runs. Arguments the generic one does not
    take cleanly (a wrong call) go to the compiled one, so errors are the same.
    """
    found: dict[str, Field] = getattr(owner, _FIELDS)
    specs = tuple(found.values())
    positional = tuple(f.name for f in specs if not f.kw_only)
    setter = object.__setattr__ if frozen else setattr
    post_init = hasattr(owner, "__post_init__")
    calls = 0

    def compiled(self: Any, *args: Any, **kwargs: Any) -> None:
        real = _compile_init(owner, frozen=frozen)
        owner.__init__ = real  # type: ignore[misc]
        real(self, *args, **kwargs)

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        nonlocal calls
        calls += 1
        if calls > HOT or len(args) > len(positional):
            compiled(self, *args, **kwargs)
            return
        given = dict(zip(positional, args, strict=False))
        for name in kwargs:
            if name in given or name not in found:
                compiled(self, *args, **kwargs)
                return
        given.update(kwargs)
        values = []
        for spec in specs:
            if spec.name in given:
                values.append(given[spec.name])
            elif spec.factory is not MISSING:
                values.append(spec.factory())
            elif spec.default is not MISSING:
                values.append(spec.default)
            else:
                compiled(self, *args, **kwargs)
                return
        for spec, value in zip(specs, values, strict=True):
            setter(self, spec.name, value)
        if post_init:
            self.__post_init__()

    return __init__


def _compile_init(owner: type, *, frozen: bool) -> Callable[..., None]:
    """Write and compile `owner`'s `__init__`, as dataclasses does for each class."""
    found: dict[str, Field] = getattr(owner, _FIELDS)
    scope: dict[str, Any] = {"MISSING": MISSING, "_set": object.__setattr__}
    positional: list[str] = []
    keyword: list[str] = []
    lines: list[str] = []
    for name, spec in found.items():
        param = name
        value = name
        if spec.factory is not MISSING:
            scope[f"_factory_{name}"] = spec.factory
            param = f"{name}=MISSING"
            value = f"_factory_{name}() if {name} is MISSING else {name}"
        elif spec.default is not MISSING:
            scope[f"_default_{name}"] = spec.default
            param = f"{name}=_default_{name}"
        (keyword if spec.kw_only else positional).append(param)
        lines.append(
            f"    _set(self, {name!r}, {value})"
            if frozen
            else f"    self.{name} = {value}"
        )
    if hasattr(owner, "__post_init__"):
        lines.append("    self.__post_init__()")
    params = ["self", *positional, *(["*", *keyword] if keyword else [])]
    source = f"def __init__({', '.join(params)}):\n" + "\n".join(lines or ["    pass"])
    exec(source, scope)  # noqa: S102 - the source is made of field names only
    made: Callable[..., None] = scope["__init__"]
    made.__qualname__ = f"{owner.__qualname__}.__init__"
    return made
