"""Prime numbers: Eratosthenes sieve, incremental itertools-based generator, factorization."""
from itertools import compress, count, islice, takewhile


def sieve(n):
    flags = [False, False] + [True] * (n - 1)
    for i in range(2, int(n ** 0.5) + 1):
        if flags[i]:
            flags[i * i::i] = [False] * len(range(i * i, n + 1, i))
    return list(compress(range(n + 1), flags))


def primes():
    composites = {}
    for q in count(2):
        if q not in composites:
            yield q
            composites[q * q] = [q]
        else:
            for p in composites.pop(q):
                composites.setdefault(p + q, []).append(p)


def factorize(n):
    factors, d = [], 2
    while d * d <= n:
        while n % d == 0:
            factors.append(d)
            n //= d
        d += 1
    if n > 1:
        factors.append(n)
    return factors


def is_prime(n):
    return n > 1 and all(n % p for p in takewhile(lambda p: p * p <= n, primes()))


def main():
    small = sieve(100)
    print("primes <= 100:", small)
    print("count <= 10000:", len(sieve(10000)))
    print("first 15 from generator:", list(islice(primes(), 15)))
    print("1000th prime:", next(islice(primes(), 999, None)))
    print("sieve == generator:", sieve(5000) == list(takewhile(lambda p: p <= 5000, primes())))
    for n in (360, 97, 1001, 2 ** 16 + 1, 600851475143):
        print(f"factorize({n}) = {factorize(n)}")
    print("is_prime:", [n for n in range(90, 110) if is_prime(n)])
    twins = [(p, p + 2) for p in small if p + 2 in set(small)]
    print("twin primes <= 100:", twins)
    gaps = [b - a for a, b in zip(small, small[1:])]
    print("max gap below 100:", max(gaps), "at", small[gaps.index(max(gaps))])
    goldbach = {n: next((p, n - p) for p in small if n - p in set(small)) for n in range(4, 31, 2)}
    print("goldbach:", goldbach)
    print("sum of primes below 2000:", sum(sieve(1999)))


if __name__ == "__main__":
    main()
