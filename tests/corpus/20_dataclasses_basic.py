"""Dataclasses: defaults, default_factory, asdict/astuple, replace, post_init."""
from dataclasses import asdict, astuple, dataclass, field, fields, replace


@dataclass
class Address:
    street: str
    city: str
    zip_code: str = "00000"


@dataclass
class Person:
    name: str
    age: int
    email: str = ""
    tags: list = field(default_factory=list)
    address: Address = None
    nickname: str = field(default="", repr=False)

    def __post_init__(self):
        if self.age < 0:
            raise ValueError("age must be non-negative")
        self.name = self.name.strip().title()


@dataclass(frozen=True)
class Vector:
    x: float
    y: float

    def __add__(self, other):
        return Vector(self.x + other.x, self.y + other.y)

    @property
    def norm2(self):
        return self.x ** 2 + self.y ** 2


def main():
    p = Person("  ada lovelace ", 36, tags=["math"], address=Address("1 Main St", "London"))
    print(p)
    print(asdict(p))
    print(astuple(Address("2 Side Rd", "Paris", "75001")))
    q = replace(p, age=37, tags=p.tags + ["poetry"])
    print("replaced:", q.age, q.tags, "original:", p.age, p.tags)
    print("equal:", p == replace(p), p == q)
    print("field names:", [f.name for f in fields(Person)])
    print("defaults:", Person("bob", 1).tags is not Person("cy", 2).tags)
    v = Vector(1.5, 2.0) + Vector(0.5, -1.0)
    print(v, "norm2 =", v.norm2)
    try:
        v.x = 10
    except Exception as e:
        print("frozen:", type(e).__name__)
    print("hashable:", len({Vector(1, 2), Vector(1, 2), Vector(2, 1)}))
    try:
        Person("neg", -1)
    except ValueError as e:
        print("ValueError:", e)


if __name__ == "__main__":
    main()
