"""bisect: grade lookup, sorted insertion, range counts, and a sorted list class."""
import bisect


def grade(score, breakpoints=(60, 70, 80, 90), grades="FDCBA"):
    return grades[bisect.bisect(breakpoints, score)]


class SortedList:
    def __init__(self, items=()):
        self._data = sorted(items)

    def add(self, x):
        bisect.insort(self._data, x)

    def remove(self, x):
        i = bisect.bisect_left(self._data, x)
        if i == len(self._data) or self._data[i] != x:
            raise ValueError(f"{x} not in list")
        del self._data[i]

    def count_range(self, lo, hi):
        return bisect.bisect_right(self._data, hi) - bisect.bisect_left(self._data, lo)

    def __contains__(self, x):
        i = bisect.bisect_left(self._data, x)
        return i < len(self._data) and self._data[i] == x

    def __repr__(self):
        return f"SortedList({self._data})"


def main():
    scores = [33, 99, 77, 70, 89, 90, 100, 59, 60]
    print("grades:", [(s, grade(s)) for s in scores])
    sl = SortedList([5, 1, 9, 3])
    for x in [4, 7, 1, 10]:
        sl.add(x)
    print(sl)
    sl.remove(9)
    print("after remove 9:", sl, "contains 4:", 4 in sl, "contains 9:", 9 in sl)
    try:
        sl.remove(42)
    except ValueError as e:
        print("ValueError:", e)
    print("count in [3, 7]:", sl.count_range(3, 7))
    data = [1, 2, 4, 4, 4, 7, 9]
    for x in (0, 4, 5, 9, 10):
        print(f"x={x}: bisect_left={bisect.bisect_left(data, x)} bisect_right={bisect.bisect_right(data, x)}")
    records = sorted([("carol", 31), ("alice", 25), ("bob", 42)], key=lambda r: r[1])
    ages = [r[1] for r in records]
    i = bisect.bisect_left(ages, 30)
    print("first person aged >= 30:", records[i][0])
    print("keyed bisect:", bisect.bisect_left(records, 40, key=lambda r: r[1]))
    timeline = [0, 100, 250, 400]
    labels = ["boot", "load", "run", "shutdown"]
    for t in (50, 100, 399, 1000):
        print(f"t={t} phase={labels[bisect.bisect_right(timeline, t) - 1]}")


if __name__ == "__main__":
    main()
