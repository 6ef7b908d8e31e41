"""String formatting: f-strings with format specs, str.format, %-formatting, tables."""


class Temp:
    def __init__(self, c):
        self.c = c

    def __format__(self, spec):
        if spec == "F":
            return f"{self.c * 9 / 5 + 32:.1f}F"
        return f"{self.c:{spec or '.1f'}}C"


def main():
    pi, n, name = 3.14159265, 1234567, "Ada"
    print(f"{pi:.2f}|{pi:10.4f}|{pi:<10.1f}|{pi:^10.3f}|{pi:+.1e}")
    print(f"{n:,}|{n:_}|{n:>12,}|{n:012d}|{-n:+,}")
    print(f"{255:b}|{255:o}|{255:x}|{255:X}|{255:#x}|{255:#010b}")
    print(f"{0.256:.1%}|{1/3:.3%}|{5:5d}|{5:<5d}|{5:^5d}|")
    print(f"[{name:>8}] [{name:<8}] [{name:^8}] [{name:*^9}] [{name!r}]")
    width, prec = 12, 3
    print(f"nested: [{pi:{width}.{prec}f}]")
    x = 42
    print(f"{x=}, {x * 2 = }, {name.upper()=}")
    print("format(): {0} {1} {0} | {a}-{b} | {2:>6}".format("p", "q", "r", a=1, b=2))
    print("{:.3f} {:e} {:g} {:g}".format(2 / 3, 12345.678, 0.00001234, 1e20))
    print("{name} is {age} years".format(**{"name": "Bob", "age": 30}))
    print("{0[0]} {0[2]} {1.real}".format([10, 20, 30], 3 + 4j))
    print("%s has %d items costing %.2f (%5.1f%%)" % ("cart", 3, 19.5, 12.345))
    print("%-8s|%8s|%08.3f|%x|%o|%c" % ("left", "right", 3.14159, 255, 8, 65))
    print("%(who)s scored %(pts)03d" % {"who": "Eve", "pts": 7})
    print(f"temp: {Temp(21.5)} / {Temp(21.5):F} / {Temp(100):.0f}")
    rows = [("Widget", 4, 3.5), ("Gadget", 10, 12.25), ("Thingamajig", 1, 199.999)]
    print(f"{'Item':<12}{'Qty':>5}{'Price':>10}{'Total':>11}")
    print("-" * 38)
    for item, qty, price in rows:
        print(f"{item:<12}{qty:>5}{price:>10.2f}{qty * price:>11,.2f}")
    print("-" * 38)
    print(f"{'TOTAL':<27}{sum(q * p for _, q, p in rows):>11,.2f}")
    print(repr(f"{'tab':>6}\t{'nl'}"), str(12).zfill(5), "abc".center(9, "."), "7".rjust(3, "0"))
    print(format(1234.5678, ",.2f"), format(0.5, ".0%"), format("s", ">3"), format(True, "d"))


if __name__ == "__main__":
    main()
