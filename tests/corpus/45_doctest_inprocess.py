"""Run doctest.testmod() in-process on documented functions and report counts."""
import doctest
import io

def add(a, b):
    """Return the sum of a and b.

    >>> add(2, 3)
    5
    >>> add('a', 'b')
    'ab'
    """
    return a + b

def slugify(text):
    """Lowercase and replace spaces with hyphens.

    >>> slugify("Hello World")
    'hello-world'
    >>> slugify("  Many   Spaces  ")
    'many-spaces'
    """
    return "-".join(text.lower().split())

def safe_div(a, b):
    """Divide, raising on zero.

    >>> safe_div(10, 4)
    2.5
    >>> safe_div(1, 0)
    Traceback (most recent call last):
        ...
    ValueError: division by zero is not allowed
    """
    if b == 0:
        raise ValueError("division by zero is not allowed")
    return a / b

def squares(n):
    """List of squares.

    >>> squares(5)
    [0, 1, 4, 9, 16]
    >>> sum(squares(10))
    285
    """
    return [i * i for i in range(n)]

def main():
    results = doctest.testmod(verbose=False)
    print("attempted:", results.attempted)
    print("failed:", results.failed)
    finder = doctest.DocTestFinder()
    tests = sorted(finder.find(safe_div, "safe_div") + finder.find(squares, "squares"), key=lambda t: t.name)
    for t in tests:
        print(f"  {t.name}: {len(t.examples)} examples")
    parser = doctest.DocTestParser()
    test = parser.get_doctest(">>> 1 + 1\n3\n", {}, "bad_example", None, 0)
    runner = doctest.DocTestRunner(verbose=False)
    sink = io.StringIO()
    runner.run(test, out=sink.write)
    summary = runner.summarize(verbose=False)
    print("deliberate failure -> attempted:", summary.attempted, "failed:", summary.failed)
    print("failure report mentions expected:", "Expected:" in sink.getvalue())

if __name__ == "__main__":
    main()
