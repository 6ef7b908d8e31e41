"""itertools grouping and accumulation: groupby, chain, accumulate, zip_longest, etc."""
import operator
from itertools import (accumulate, chain, dropwhile, filterfalse, groupby,
                       islice, pairwise, starmap, takewhile, tee, zip_longest)

SALES = [
    ("2024-01", "north", 120), ("2024-01", "south", 80), ("2024-02", "north", 95),
    ("2024-02", "south", 130), ("2024-02", "east", 40), ("2024-03", "north", 150),
]


def main():
    for month, rows in groupby(SALES, key=lambda r: r[0]):
        rows = list(rows)
        print(f"{month}: {sum(r[2] for r in rows):>4} across {len(rows)} regions")
    by_region = sorted(SALES, key=lambda r: r[1])
    print({k: sum(r[2] for r in g) for k, g in groupby(by_region, key=lambda r: r[1])})
    print("run-length:", [(k, len(list(g))) for k, g in groupby("aaabccddddde")])
    nums = [3, 1, 4, 1, 5, 9, 2, 6]
    print("running sum:", list(accumulate(nums)))
    print("running max:", list(accumulate(nums, max)))
    print("running product:", list(accumulate(nums, operator.mul)))
    print("with initial:", list(accumulate([1, 2, 3], initial=100)))
    print("chain:", list(chain([1, 2], (3, 4), "ab")))
    print("from_iterable:", list(chain.from_iterable([[1], [2, 3], [], [4]])))
    print("zip_longest:", list(zip_longest("abc", [1, 2], fillvalue="-")))
    print("takewhile:", list(takewhile(lambda x: x < 5, nums)))
    print("dropwhile:", list(dropwhile(lambda x: x < 5, nums)))
    print("filterfalse odd:", list(filterfalse(lambda x: x % 2, nums)))
    print("starmap pow:", list(starmap(pow, [(2, 5), (3, 2), (10, 3)])))
    print("pairwise diffs:", [b - a for a, b in pairwise(nums)])
    a, b = tee(iter(nums), 2)
    print("tee:", list(islice(a, 3)), list(b)[:5])
    print("islice step:", list(islice(range(100), 5, 30, 7)))
    words = sorted(["apple", "avocado", "banana", "blueberry", "cherry", "cranberry", "date"])
    for letter, group in groupby(words, key=operator.itemgetter(0)):
        print(f"  {letter}: {', '.join(group)}")


if __name__ == "__main__":
    main()
