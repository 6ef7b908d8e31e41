"""Arbitrary precision integers: factorials, powers, digit sums, modular arithmetic."""
import math


def digit_sum(n):
    return sum(int(d) for d in str(n))


def main():
    f100 = math.factorial(100)
    print("100! =", f100)
    print("digits in 100!:", len(str(f100)), "digit sum:", digit_sum(f100))
    print("trailing zeros:", len(str(f100)) - len(str(f100).rstrip("0")))
    p = 2 ** 500
    print("2**500 =", p)
    print("digit sum of 2**500:", digit_sum(p), "bit_length:", p.bit_length())
    print("2**1000 digit sum:", digit_sum(2 ** 1000))
    big = 3 ** 200 - 7 ** 90
    print("3**200 - 7**90 =", big)
    print("negative big:", -(10 ** 40) + 1)
    print("floor div/mod:", divmod(10 ** 30 + 7, 12345678901), (-(10 ** 25)) // 7, (-(10 ** 25)) % 7)
    print("pow mod:", pow(3, 10 ** 18, 10 ** 9 + 7), pow(2, -1, 97))
    print("gcd big:", math.gcd(2 ** 200 * 3 ** 50, 6 ** 120))
    print("isqrt:", math.isqrt(10 ** 50), math.isqrt(2 * 10 ** 40))
    print("hex/bin/oct:", hex(2 ** 70 - 1), bin(2 ** 40 + 5)[-12:], oct(8 ** 20))
    print("from string base 36:", int("zzzzzzzzzzzzzzzz", 36))
    print("to_bytes:", (2 ** 64 + 1).to_bytes(9, "big").hex())
    print("bit ops:", (2 ** 100) >> 90, (1 << 80) | 1, (2 ** 70 - 1) & 0xFFFF, ~(2 ** 65))
    print("comparison:", 10 ** 100 > 9 ** 104, 2 ** 64 == 18446744073709551616)
    print("float conversion:", float(2 ** 60), int(1e20), 10 ** 20 == int(1e20))
    print("true division:", (10 ** 30) / (10 ** 28))
    fibs = [0, 1]
    while len(str(fibs[-1])) < 100:
        fibs.append(fibs[-1] + fibs[-2])
    print("first 100-digit fibonacci index:", len(fibs) - 1)
    print("mersenne 2**89-1 prime-ish check:", pow(3, 2 ** 89 - 2, 2 ** 89 - 1) == 1)
    print("catalan(50):", math.comb(100, 50) // 51)


if __name__ == "__main__":
    main()
