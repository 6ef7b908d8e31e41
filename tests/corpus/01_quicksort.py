"""Quicksort implementations: functional and in-place (Lomuto partition)."""


def quicksort(items):
    if len(items) <= 1:
        return list(items)
    pivot = items[len(items) // 2]
    less = [x for x in items if x < pivot]
    equal = [x for x in items if x == pivot]
    greater = [x for x in items if x > pivot]
    return quicksort(less) + equal + quicksort(greater)


def partition(arr, lo, hi):
    pivot = arr[hi]
    i = lo - 1
    for j in range(lo, hi):
        if arr[j] <= pivot:
            i += 1
            arr[i], arr[j] = arr[j], arr[i]
    arr[i + 1], arr[hi] = arr[hi], arr[i + 1]
    return i + 1


def quicksort_inplace(arr, lo=0, hi=None):
    if hi is None:
        hi = len(arr) - 1
    if lo < hi:
        p = partition(arr, lo, hi)
        quicksort_inplace(arr, lo, p - 1)
        quicksort_inplace(arr, p + 1, hi)
    return arr


def main():
    samples = [
        [3, 6, 8, 10, 1, 2, 1],
        [],
        [5],
        [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
        [-3, 14, 0, -7, 22, 14, 5],
        ["pear", "apple", "fig", "banana", "cherry"],
    ]
    for s in samples:
        a = quicksort(s)
        b = quicksort_inplace(list(s))
        print(f"input:  {s}")
        print(f"sorted: {a}")
        print(f"match builtin: {a == sorted(s) and b == sorted(s)}")
    big = [(i * 7919) % 1000 for i in range(200)]
    result = quicksort(big)
    print("big first 10:", result[:10])
    print("big last 5:", result[-5:])
    print("big sorted ok:", result == sorted(big))


if __name__ == "__main__":
    main()
