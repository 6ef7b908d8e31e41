"""fractions.Fraction: exact arithmetic, continued fractions, Egyptian fractions."""
from fractions import Fraction
from math import floor


def egyptian(frac):
    parts = []
    while frac.numerator != 0:
        d = -(-frac.denominator // frac.numerator)
        parts.append(Fraction(1, d))
        frac -= Fraction(1, d)
    return parts


def continued_fraction(frac, limit=20):
    terms = []
    while limit:
        a = floor(frac)
        terms.append(a)
        rest = frac - a
        if rest == 0:
            break
        frac = 1 / rest
        limit -= 1
    return terms


def harmonic(n):
    return sum(Fraction(1, k) for k in range(1, n + 1))


def main():
    a, b = Fraction(3, 4), Fraction(5, 6)
    print(f"a={a} b={b}")
    print("a+b =", a + b, "a-b =", a - b, "a*b =", a * b, "a/b =", a / b)
    print("a**2 =", a ** 2, "a**-1 =", a ** -1)
    print("from string:", Fraction("0.125"), Fraction("-7/21"), Fraction(" 3/9 "))
    print("from float:", Fraction(0.5), Fraction(0.1).limit_denominator(100))
    print("pi approx:", Fraction(3.141592653589793).limit_denominator(1000))
    print("as float:", float(Fraction(22, 7)), "int:", int(Fraction(22, 7)))
    print("comparisons:", Fraction(1, 3) < Fraction(2, 5), Fraction(2, 4) == 0.5, Fraction(1, 2) == Fraction(50, 100))
    print("num/den:", Fraction(12, 18).numerator, Fraction(12, 18).denominator)
    print("egyptian 5/6:", " + ".join(str(f) for f in egyptian(Fraction(5, 6))))
    print("egyptian 7/15:", " + ".join(str(f) for f in egyptian(Fraction(7, 15))))
    print("continued 415/93:", continued_fraction(Fraction(415, 93)))
    print("continued sqrt2 approx:", continued_fraction(Fraction(1.4142135623730951), 8))
    for n in (1, 5, 10, 20):
        h = harmonic(n)
        print(f"H({n}) = {h} ~ {float(h):.6f}")
    total = sum([Fraction(1, 10)] * 10)
    print("ten tenths:", total, total == 1)
    print("mixed with int:", Fraction(1, 3) + 2, 3 * Fraction(2, 9))
    print("round:", round(Fraction(7, 2)), round(Fraction(5, 2)), round(Fraction(22, 7), 2))
    print("sorted:", sorted([Fraction(2, 3), Fraction(1, 2), Fraction(3, 5), Fraction(5, 8)]))


if __name__ == "__main__":
    main()
