"""functools: reduce, partial, lru_cache, total_ordering, cmp_to_key, singledispatch."""
from functools import cmp_to_key, lru_cache, partial, reduce, singledispatch, total_ordering
import operator

@total_ordering
class Money:
    def __init__(self, cents):
        self.cents = cents

    def __eq__(self, other):
        return self.cents == other.cents

    def __lt__(self, other):
        return self.cents < other.cents

    def __repr__(self):
        return f"${self.cents // 100}.{self.cents % 100:02d}"

@lru_cache(maxsize=3)
def slow_square(n):
    return n * n

@singledispatch
def describe(x):
    return f"object {x!r}"

@describe.register
def _(x: int):
    return f"int {x}"

@describe.register
def _(x: list):
    return f"list of {len(x)}"

def power(base, exp):
    return base ** exp

def main():
    nums = [1, 2, 3, 4, 5]
    print("sum via reduce:", reduce(operator.add, nums))
    print("product:", reduce(lambda a, b: a * b, nums, 1))
    print("max via reduce:", reduce(lambda a, b: a if a > b else b, [3, 9, 2, 7]))
    print("flatten:", reduce(operator.concat, [[1], [2, 3], [4]]))
    square, cube = partial(power, exp=2), partial(power, exp=3)
    print("partials:", [square(i) for i in range(5)], [cube(i) for i in range(5)])
    int2 = partial(int, base=2)
    print("binary parse:", int2("1011"), int2("11111111"))
    a, b, c = Money(150), Money(99), Money(150)
    print("ordering:", a > b, a >= c, b <= a, a != b, sorted([a, b, Money(5)]))
    for n in [1, 2, 3, 1, 4, 1, 2]:
        slow_square(n)
    print("cache:", slow_square.cache_info())
    slow_square.cache_clear()
    print("after clear:", slow_square.cache_info().currsize)

    def compare(x, y):
        return (len(x) > len(y)) - (len(x) < len(y)) or (x > y) - (x < y)
    print("cmp_to_key:", sorted(["pear", "fig", "apple", "kiwi", "date"], key=cmp_to_key(compare)))
    print("dispatch:", describe(5), "|", describe([1, 2]), "|", describe("s"))
    compose = lambda *fs: reduce(lambda f, g: lambda x: g(f(x)), fs)
    pipeline = compose(lambda x: x + 1, lambda x: x * 10, str)
    print("composed:", pipeline(4), type(pipeline(4)).__name__)

if __name__ == "__main__":
    main()
