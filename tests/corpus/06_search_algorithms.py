"""Assorted searches: linear, jump, interpolation, ternary and 2D matrix search."""
import math

def linear_search(items, pred):
    return next((i for i, x in enumerate(items) if pred(x)), None)

def jump_search(arr, target):
    n = len(arr)
    step = int(math.isqrt(n)) or 1
    prev = 0
    while prev < n and arr[min(prev + step, n) - 1] < target:
        prev += step
    for i in range(prev, min(prev + step, n)):
        if arr[i] == target:
            return i
    return -1

def interpolation_search(arr, target):
    lo, hi = 0, len(arr) - 1
    probes = 0
    while lo <= hi and arr[lo] <= target <= arr[hi]:
        probes += 1
        if arr[hi] == arr[lo]:
            return (lo if arr[lo] == target else -1), probes
        pos = lo + (target - arr[lo]) * (hi - lo) // (arr[hi] - arr[lo])
        if arr[pos] == target:
            return pos, probes
        if arr[pos] < target:
            lo = pos + 1
        else:
            hi = pos - 1
    return -1, probes

def ternary_max(f, lo, hi, iterations=60):
    for _ in range(iterations):
        m1 = lo + (hi - lo) / 3
        m2 = hi - (hi - lo) / 3
        if f(m1) < f(m2):
            lo = m1
        else:
            hi = m2
    return (lo + hi) / 2

def matrix_search(matrix, target):
    r, c = 0, len(matrix[0]) - 1
    while r < len(matrix) and c >= 0:
        v = matrix[r][c]
        if v == target:
            return (r, c)
        if v > target:
            c -= 1
        else:
            r += 1
    return None

def main():
    names = ["alice", "bob", "carol", "dave", "erin"]
    print("first with 'r':", linear_search(names, lambda s: "r" in s))
    print("first len>10:", linear_search(names, lambda s: len(s) > 10))
    arr = [i * i for i in range(50)]
    for t in (0, 49, 2401, 50, 1600):
        print(f"jump {t}: {jump_search(arr, t)}  interp: {interpolation_search(arr, t)}")
    x = ternary_max(lambda x: -(x - 2.5) ** 2 + 4, 0.0, 10.0)
    print(f"ternary max at x={x:.6f}")
    grid = [[1, 4, 7, 11], [2, 5, 8, 12], [3, 6, 9, 16], [10, 13, 14, 17]]
    for t in (5, 14, 15, 17):
        print(f"matrix find {t}: {matrix_search(grid, t)}")

if __name__ == "__main__":
    main()
