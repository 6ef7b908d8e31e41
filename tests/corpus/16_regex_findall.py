"""Regular expressions: findall, sub, split, finditer and compile flags."""
import re

LOG = """2024-03-01 12:00:01 INFO  user=alice ip=10.0.0.1 action=login
2024-03-01 12:05:44 WARN  user=bob ip=192.168.1.20 action=failed_login
2024-03-01 12:06:10 ERROR user=bob ip=192.168.1.20 action=locked
2024-03-02 08:15:00 info  user=carol ip=10.0.0.7 action=login
Contact: support@example.com, sales@example.org; bad@address"""


def main():
    print("dates:", sorted(set(re.findall(r"\d{4}-\d{2}-\d{2}", LOG))))
    print("ips:", re.findall(r"\b(?:\d{1,3}\.){3}\d{1,3}\b", LOG))
    print("emails:", re.findall(r"[\w.+-]+@[\w-]+\.[a-z]{2,}", LOG))
    pairs = re.findall(r"(\w+)=(\S+)", LOG)
    print("first 4 pairs:", pairs[:4])
    info = re.compile(r"^\S+ \S+ info", re.IGNORECASE | re.MULTILINE)
    print("info lines:", len(info.findall(LOG)))
    masked = re.sub(r"(\d+)\.(\d+)\.(\d+)\.(\d+)", r"\1.\2.x.x", LOG.splitlines()[1])
    print("masked:", masked)
    print("upper users:", re.sub(r"user=(\w+)", lambda m: "user=" + m.group(1).upper(), LOG.splitlines()[0]))
    print("split:", re.split(r"[,;]\s*", "a, b;c ,d;  e"))
    print("split max 2:", re.split(r"\s+", "one two three four", maxsplit=2))
    for m in re.finditer(r"\b(ERROR|WARN)\b", LOG):
        print(f"level {m.group(1)} at span {m.span()}")
    verbose = re.compile(r"""
        (\d{3})     # area
        [-.\s]?
        (\d{4})     # number
    """, re.VERBOSE)
    print("verbose:", verbose.findall("call 555-1234 or 555 9876 or 5550000"))
    print("subn:", re.subn(r"o", "0", "foo boo zoo"))
    print("fullmatch:", bool(re.fullmatch(r"[A-Z][a-z]+", "Hello")), bool(re.fullmatch(r"[A-Z][a-z]+", "Hello!")))
    print("escape:", re.escape("1+1=2?"))
    print("dotall:", re.findall(r"a.b", "a\nb axb", re.DOTALL))
    print("non-greedy:", re.findall(r"<.+?>", "<a><b></b></a>"))


if __name__ == "__main__":
    main()
