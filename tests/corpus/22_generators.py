"""Generators: yield, yield from, send, generator expressions, pipelines."""

def countdown(n):
    while n > 0:
        yield n
        n -= 1

def fibonacci():
    a, b = 0, 1
    while True:
        yield a
        a, b = b, a + b

def flatten(nested):
    for item in nested:
        if isinstance(item, (list, tuple)):
            yield from flatten(item)
        else:
            yield item

def running_average():
    total, count, avg = 0.0, 0, None
    while True:
        value = yield avg
        total += value
        count += 1
        avg = total / count

def read_records(lines):
    for line in lines:
        line = line.strip()
        if line and not line.startswith("#"):
            yield dict(zip(["name", "qty"], line.split(",")))

def closing_gen():
    try:
        yield 1
        yield 2
    finally:
        print("generator cleaned up")

def main():
    print("countdown:", list(countdown(5)))
    fib = fibonacci()
    print("fib:", [next(fib) for _ in range(12)])
    print("flatten:", list(flatten([1, [2, [3, [4, 5]], 6], (7, 8), [[[9]]]])))
    avg = running_average()
    next(avg)
    for v in (10, 20, 30, 5):
        print(f"send {v} -> avg {avg.send(v):.2f}")
    records = list(read_records(["# name,qty", "apple,3", "", "pear,7", "# c", "fig,11"]))
    print("records:", records)
    print("total qty:", sum(int(r["qty"]) for r in records))
    squares = (x * x for x in range(10))
    print("sum of squares:", sum(squares), "exhausted:", list(squares))
    gen = countdown(3)
    print("manual next:", next(gen), next(gen), next(gen), next(gen, "done"))
    g = closing_gen()
    print("first:", next(g))
    g.close()
    print("first even fib > 1000:", next(x for x in fibonacci() if x > 1000 and x % 2 == 0))

if __name__ == "__main__":
    main()
