"""itertools combinatorics: permutations, combinations, product, and friends."""
from itertools import (combinations, combinations_with_replacement, compress,
                       count, cycle, islice, permutations, product, repeat)
from math import comb, factorial, perm


def main():
    letters = "ABC"
    print("permutations:", ["".join(p) for p in permutations(letters)])
    print("perm 2:", ["".join(p) for p in permutations("ABCD", 2)])
    print("combinations:", list(combinations([1, 2, 3, 4], 2)))
    print("with replacement:", ["".join(c) for c in combinations_with_replacement("xyz", 2)])
    print("product:", ["".join(p) for p in product("01", repeat=3)])
    print("product mixed:", list(product([1, 2], ["a", "b"])))
    print("counts match math:",
          len(list(permutations(range(6), 3))) == perm(6, 3),
          len(list(combinations(range(10), 4))) == comb(10, 4),
          len(list(permutations(range(5)))) == factorial(5))
    coins = [1, 5, 10, 25]
    ways = [c for r in range(1, 5) for c in combinations_with_replacement(coins, r) if sum(c) == 30]
    print("ways to make 30 with <=4 coins:", ways)
    target, pool = 10, [2, 3, 5, 7, 8]
    subsets = [s for r in range(len(pool) + 1) for s in combinations(pool, r) if sum(s) == target]
    print("subsets summing to 10:", subsets)
    print("count from 10 step 5:", list(islice(count(10, 5), 6)))
    print("cycle:", "".join(islice(cycle("abc"), 8)))
    print("repeat:", list(repeat("hi", 3)))
    print("compress:", list(compress("ABCDEF", [1, 0, 1, 0, 1, 1])))
    print("dice pairs summing to 7:", [(a, b) for a, b in product(range(1, 7), repeat=2) if a + b == 7])
    grid = list(product(range(3), range(3)))
    print("grid points:", len(grid), "diagonal:", [p for p in grid if p[0] == p[1]])
    perms = permutations([1, 2, 3, 4])
    derangements = [p for p in perms if all(p[i] != i + 1 for i in range(4))]
    print("derangements of 4:", len(derangements), derangements[:3])


if __name__ == "__main__":
    main()
