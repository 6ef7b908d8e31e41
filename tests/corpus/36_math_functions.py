"""math module tour: gcd/lcm, primes, trig (rounded), combinatorics, float helpers."""
import math


def main():
    print("gcd:", math.gcd(48, 180), math.gcd(17, 5), "lcm:", math.lcm(4, 6, 10))
    print("factorial 20:", math.factorial(20))
    print("comb/perm:", math.comb(52, 5), math.perm(10, 3))
    print("isqrt:", math.isqrt(10 ** 12 + 1), "sqrt 2:", f"{math.sqrt(2):.12f}")
    print("pi/e/tau:", f"{math.pi:.10f} {math.e:.10f} {math.tau:.6f}")
    for deg in (0, 30, 45, 60, 90, 180):
        r = math.radians(deg)
        print(f"{deg:>3} deg: sin={math.sin(r):+.6f} cos={math.cos(r):+.6f}")
    print("atan2:", f"{math.degrees(math.atan2(1, 1)):.4f}")
    print("hypot:", math.hypot(3, 4), math.hypot(1, 2, 2))
    print("dist:", math.dist((0, 0), (6, 8)))
    print("log:", f"{math.log(1000, 10):.6f} {math.log2(1024)} {math.log10(0.001)}")
    print("exp:", f"{math.exp(1):.8f}", "pow:", math.pow(2, 10))
    print("floor/ceil/trunc:", math.floor(-2.5), math.ceil(-2.5), math.trunc(-2.5), round(2.5), round(3.5))
    print("fsum vs sum:", math.fsum([0.1] * 10), sum([0.1] * 10))
    print("isclose:", math.isclose(0.1 + 0.2, 0.3), 0.1 + 0.2 == 0.3)
    print("inf/nan:", math.isinf(float("inf")), math.isnan(float("nan")), math.inf > 10 ** 300)
    print("copysign/fabs:", math.copysign(3, -0.0), math.fabs(-7.25))
    print("modf:", math.modf(3.75), "frexp:", math.frexp(40.0), "ldexp:", math.ldexp(0.625, 6))
    print("prod:", math.prod([1, 2, 3, 4, 5]), math.prod(range(1, 11), start=2))
    area = lambda r: math.pi * r * r
    print("circle areas:", [round(area(r), 4) for r in (1, 2, 3)])
    a, b, c = 1, -3, 2
    disc = b * b - 4 * a * c
    roots = sorted(((-b + s * math.sqrt(disc)) / (2 * a)) for s in (1, -1))
    print("quadratic roots:", roots)
    print("divmod:", divmod(17, 5), divmod(-17, 5), -17 % 5, -17 // 5)


if __name__ == "__main__":
    main()
