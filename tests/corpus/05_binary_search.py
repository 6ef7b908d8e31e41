"""Binary search: iterative, recursive, leftmost/rightmost and on answers."""

def binary_search(arr, target):
    lo, hi = 0, len(arr) - 1
    steps = 0
    while lo <= hi:
        steps += 1
        mid = (lo + hi) // 2
        if arr[mid] == target:
            return mid, steps
        if arr[mid] < target:
            lo = mid + 1
        else:
            hi = mid - 1
    return -1, steps

def binary_search_rec(arr, target, lo=0, hi=None):
    if hi is None:
        hi = len(arr) - 1
    if lo > hi:
        return -1
    mid = (lo + hi) // 2
    if arr[mid] == target:
        return mid
    args = (mid + 1, hi) if arr[mid] < target else (lo, mid - 1)
    return binary_search_rec(arr, target, *args)

def leftmost(arr, target):
    lo, hi = 0, len(arr)
    while lo < hi:
        mid = (lo + hi) // 2
        if arr[mid] < target:
            lo = mid + 1
        else:
            hi = mid
    return lo

def rightmost(arr, target):
    lo, hi = 0, len(arr)
    while lo < hi:
        mid = (lo + hi) // 2
        if arr[mid] <= target:
            lo = mid + 1
        else:
            hi = mid
    return lo - 1

def int_sqrt(n):
    lo, hi = 0, n
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if mid * mid <= n:
            lo = mid
        else:
            hi = mid - 1
    return lo

def main():
    arr = list(range(0, 100, 3))
    for t in (0, 27, 99, 50, -5, 96):
        idx, steps = binary_search(arr, t)
        print(f"search {t:>3}: index={idx:>3} steps={steps} recursive={binary_search_rec(arr, t)}")
    dup = [1, 2, 2, 2, 3, 5, 5, 8]
    for t in (2, 5, 4, 8):
        print(f"target {t}: leftmost={leftmost(dup, t)} rightmost={rightmost(dup, t)}")
    for n in (0, 1, 15, 16, 1000000, 10**20 + 12345):
        print(f"isqrt({n}) = {int_sqrt(n)}")

if __name__ == "__main__":
    main()
