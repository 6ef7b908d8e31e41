"""decimal: precision contexts, rounding modes, money arithmetic, quantize."""
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation, getcontext, localcontext


def compound(principal, rate, years):
    amount = principal
    for _ in range(years):
        amount *= (1 + rate)
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def main():
    print("float sum:", 0.1 + 0.2, "decimal sum:", Decimal("0.1") + Decimal("0.2"))
    print("from float:", Decimal(0.1))
    getcontext().prec = 28
    print("1/7 (28):", Decimal(1) / Decimal(7))
    getcontext().prec = 50
    print("1/7 (50):", Decimal(1) / Decimal(7))
    print("sqrt 2 (50):", Decimal(2).sqrt())
    getcontext().prec = 10
    print("1/3 (10):", Decimal(1) / Decimal(3))
    with localcontext() as ctx:
        ctx.prec = 5
        print("local 2/3 (5):", Decimal(2) / Decimal(3))
    print("restored (10):", Decimal(2) / Decimal(3))
    getcontext().prec = 28
    for value in ("2.675", "2.665", "-1.005", "0.125"):
        d = Decimal(value)
        print(f"{value:>6}: half_up={d.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)} "
              f"half_even={d.quantize(Decimal('0.01'), rounding=ROUND_HALF_EVEN)} "
              f"down={d.quantize(Decimal('0.01'), rounding=ROUND_DOWN)}")
    prices = [Decimal("19.99"), Decimal("5.01"), Decimal("0.10"), Decimal("100.00")]
    subtotal = sum(prices)
    tax = (subtotal * Decimal("0.0825")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    print("subtotal:", subtotal, "tax:", tax, "total:", subtotal + tax)
    print("compound 1000 @5% 10y:", compound(Decimal("1000"), Decimal("0.05"), 10))
    print("tuple:", Decimal("-3.14").as_tuple())
    print("normalize:", Decimal("1.2300").normalize(), Decimal("100").normalize(), "exp:", Decimal("1.2300").as_tuple().exponent)
    print("compare:", Decimal("1.0") == Decimal("1.00"), Decimal("1.1") > Decimal("1.09"))
    print("int/float:", int(Decimal("7.9")), float(Decimal("2.5")))
    print("special:", Decimal("Infinity") > 10 ** 100, Decimal("NaN").is_nan())
    try:
        Decimal("abc")
    except InvalidOperation:
        print("InvalidOperation for 'abc'")
    print("sci:", Decimal("1.23E+5"), "eng:", Decimal("12345678").to_eng_string(), f"{Decimal('1234.5678'):,.2f}")


if __name__ == "__main__":
    main()
