"""typing: TypeVar, Generic, Protocol, Optional, Union, Callable, TypedDict annotations."""
from typing import (Callable, Dict, Generic, Iterable, Iterator, List, Optional,
                    Protocol, TypedDict, TypeVar, Union, get_args,
                    get_origin, runtime_checkable)

T = TypeVar("T")
K = TypeVar("K")
N = TypeVar("N", int, float)

class Stack(Generic[T]):
    def __init__(self) -> None:
        self._items: List[T] = []

    def push(self, item: T) -> None:
        self._items.append(item)

    def pop(self) -> Optional[T]:
        return self._items.pop() if self._items else None

    def __iter__(self) -> Iterator[T]:
        return reversed(self._items)

    def __len__(self) -> int: return len(self._items)

@runtime_checkable
class Greeter(Protocol):
    def greet(self, name: str) -> str: ...

class English:
    def greet(self, name: str) -> str:
        return f"Hello, {name}!"

class Movie(TypedDict):
    title: str
    year: int

def group_by(items: Iterable[T], key: Callable[[T], K]) -> Dict[K, List[T]]:
    out: Dict[K, List[T]] = {}
    for it in items:
        out.setdefault(key(it), []).append(it)
    return out

def total(values: List[N]) -> N:
    return sum(values)

def parse(value: Union[int, str]) -> int:
    return value if isinstance(value, int) else int(value.strip())

def main() -> None:
    s: Stack[int] = Stack()
    for i in (1, 2, 3):
        s.push(i)
    print("stack iter:", list(s), "pop:", s.pop(), "len:", len(s))
    print("empty pop:", Stack[str]().pop())
    g = English()
    print(type(g).__name__, "->", g.greet("Ada"), "| is Greeter:", isinstance(g, Greeter))
    print("int is Greeter:", isinstance(42, Greeter))
    m: Movie = {"title": "Alien", "year": 1979}
    print("typed dict:", m, "keys:", sorted(Movie.__annotations__))
    print("group_by:", group_by(["apple", "avocado", "bean", "corn", "cabbage"], lambda w: w[0]))
    print("total:", total([1, 2, 3]), total([0.5, 0.25]))
    print("parse:", parse(5), parse(" 42 "))
    hints = parse.__annotations__
    print("annotations:", [a.__name__ for a in get_args(hints["value"])], "->", hints["return"].__name__)
    print("origin:", get_origin(hints["value"]) is Union, get_origin(List[int]) is list)
    print("typevar:", T.__name__, N.__constraints__ == (int, float))
    print("generic alias origin:", Stack[int].__origin__ is Stack)

if __name__ == "__main__":
    main()
