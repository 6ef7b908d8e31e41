"""Named groups, groupdict, backreferences and a small log parser."""
import re

LINE_RE = re.compile(
    r"(?P<ip>\d+\.\d+\.\d+\.\d+) - - \[(?P<date>[^\]]+)\] "
    r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/(?P<ver>[\d.]+)" (?P<status>\d{3}) (?P<size>\d+|-)'
)

LINES = [
    '127.0.0.1 - - [10/Oct/2023:13:55:36 +0000] "GET /index.html HTTP/1.1" 200 2326',
    '10.1.1.5 - - [10/Oct/2023:13:56:01 +0000] "POST /api/login HTTP/1.1" 401 57',
    '10.1.1.5 - - [10/Oct/2023:13:56:09 +0000] "POST /api/login HTTP/1.1" 200 612',
    'garbage line that does not match',
    '192.168.0.9 - - [10/Oct/2023:14:02:11 +0000] "GET /missing HTTP/2.0" 404 -',
]


def main():
    totals = {}
    for line in LINES:
        m = LINE_RE.match(line)
        if not m:
            print("skip:", line[:20])
            continue
        d = m.groupdict()
        size = 0 if d["size"] == "-" else int(d["size"])
        print(f"{d['method']:<5}{d['path']:<12}{d['status']} {size:>5}  from {m.group('ip')}")
        totals[d["status"]] = totals.get(d["status"], 0) + 1
    print("status counts:", dict(sorted(totals.items())))
    date_re = re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})")
    print(date_re.sub(r"\g<d>/\g<m>/\g<y>", "from 2024-01-05 to 2024-02-10"))
    m = date_re.search("Due: 2025-12-31.")
    print("groups:", m.groups(), "y:", m["y"], "start/end:", m.start("m"), m.end("m"))
    doubled = re.findall(r"\b(\w+) \1\b", "this is is a test test of the the regex")
    print("doubled words:", doubled)
    print("dedup:", re.sub(r"\b(\w+)( \1\b)+", r"\1", "this is is a test test test ok"))
    kv = re.compile(r"(?P<key>\w+)\s*:\s*(?P<val>[^;]+)")
    config = "host: example.com; port : 8080;debug:true"
    print("config:", {m["key"]: m["val"].strip() for m in kv.finditer(config)})
    opt = re.match(r"(?P<a>x)?(?P<b>y)", "y")
    print("optional group:", opt.groupdict(), opt.groupdict(default="-"))
    print("lookahead:", re.findall(r"\d+(?= dollars)", "5 dollars, 7 euros, 12 dollars"))
    print("lookbehind:", re.findall(r"(?<=#)\w+", "tags: #python #regex no#? #ok"))


if __name__ == "__main__":
    main()
