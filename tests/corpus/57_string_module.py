"""The string module and str methods: constants, Template, capwords, translate, checks."""
import string


def is_valid_identifier_like(s):
    return bool(s) and s[0] in string.ascii_letters + "_" and all(
        c in string.ascii_letters + string.digits + "_" for c in s)


def pangram(s):
    return set(string.ascii_lowercase) <= set(s.lower())


def main():
    print("lowercase:", string.ascii_lowercase)
    print("uppercase:", string.ascii_uppercase)
    print("digits:", string.digits, "hexdigits:", string.hexdigits, "octdigits:", string.octdigits)
    print("punctuation:", string.punctuation)
    print("whitespace repr:", repr(string.whitespace))
    print("printable length:", len(string.printable))
    t = string.Template("Dear $name, your balance is $$${amount}.")
    print(t.substitute(name="Ann", amount="12.50"))
    print(t.safe_substitute(name="Bob"))
    try:
        t.substitute(name="Cy")
    except KeyError as e:
        print("missing placeholder:", e.args[0])
    print("capwords:", string.capwords("hello   wORLD from  python"))
    table = str.maketrans("", "", string.punctuation)
    print("strip punctuation:", "Hello, World! (It's) fine...".translate(table))
    leet = str.maketrans("aeiost", "431057")
    print("leet:", "satisfaction is the goal".translate(leet))
    for s in ("snake_case", "2fast", "_ok", "has-dash", ""):
        print(f"  {s!r:<12} identifier-like: {is_valid_identifier_like(s)} isidentifier: {s.isidentifier()}")
    print("pangrams:", pangram("The quick brown fox jumps over the lazy dog"), pangram("Hello world"))
    s = "  Python Strings Are Immutable  "
    print([s.strip(), s.lower().split(), s.title().strip(), s.swapcase().strip()])
    print("find/index/count:", s.find("Are"), s.find("xyz"), s.count("t"), s.strip().startswith("Py"))
    print("partition:", "key=value=more".partition("="), "rpartition:", "a.b.c".rpartition("."))
    print("checks:", "123".isdigit(), "abc".isalpha(), "ab1".isalnum(), "   ".isspace(), "Title Case".istitle())
    print("join/split:", "-".join(["2024", "01", "31"]), "a,b,,c".split(","), "line1\nline2\r\n".splitlines())
    print("removeprefix/suffix:", "test_file.py".removeprefix("test_").removesuffix(".py"))
    print("expandtabs:", repr("a\tbc\td".expandtabs(4)), "casefold:", "Straße".casefold())
    fmt = string.Formatter()
    print("formatter fields:", [f[1] for f in fmt.parse("{a} and {b!r:>5} end") if f[1]])


if __name__ == "__main__":
    main()
