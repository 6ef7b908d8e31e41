"""Fibonacci: naive recursion, manual memo, lru_cache, iterative, matrix power."""
from functools import lru_cache

calls = 0


def fib_naive(n):
    global calls
    calls += 1
    return n if n < 2 else fib_naive(n - 1) + fib_naive(n - 2)


def fib_memo(n, memo=None):
    if memo is None:
        memo = {}
    if n < 2:
        return n
    if n not in memo:
        memo[n] = fib_memo(n - 1, memo) + fib_memo(n - 2, memo)
    return memo[n]


@lru_cache(maxsize=None)
def fib_cached(n):
    return n if n < 2 else fib_cached(n - 1) + fib_cached(n - 2)


def fib_iter(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def mat_mul(a, b):
    return [[a[0][0] * b[0][0] + a[0][1] * b[1][0], a[0][0] * b[0][1] + a[0][1] * b[1][1]],
            [a[1][0] * b[0][0] + a[1][1] * b[1][0], a[1][0] * b[0][1] + a[1][1] * b[1][1]]]


def fib_matrix(n):
    result, base = [[1, 0], [0, 1]], [[1, 1], [1, 0]]
    while n:
        if n & 1:
            result = mat_mul(result, base)
        base = mat_mul(base, base)
        n >>= 1
    return result[0][1]


def main():
    print("first 15:", [fib_naive(i) for i in range(15)])
    global calls
    calls = 0
    fib_naive(20)
    print("naive calls for fib(20):", calls)
    print("memo fib(80):", fib_memo(80))
    print("cached fib(150):", fib_cached(150))
    print("cache info:", fib_cached.cache_info())
    print("iter fib(90):", fib_iter(90))
    print("matrix fib(300):", fib_matrix(300))
    print("all agree at 100:", len({fib_memo(100), fib_cached(100), fib_iter(100), fib_matrix(100)}) == 1)
    print("digits in fib(1000):", len(str(fib_iter(1000))))
    print("even fibs < 4e6 sum:", sum(f for f in (fib_iter(i) for i in range(40)) if f % 2 == 0 and f < 4_000_000))
    ratio = fib_iter(40) / fib_iter(39)
    print(f"golden ratio approx: {ratio:.10f}")


if __name__ == "__main__":
    main()
