"""csv over io.StringIO: reader, DictReader, writer, DictWriter, quoting, aggregation."""
import csv
import io

RAW = """name,department,salary,start
Alice,Engineering,120000,2019-03-01
Bob,Sales,70000,2020-07-15
"Carol, Jr.",Engineering,105000,2018-11-30
Dan,Marketing,65000,2021-01-04
Eve,Sales,"82,500",2017-05-22
"""


def main():
    rows = list(csv.reader(io.StringIO(RAW)))
    print("header:", rows[0])
    print("row count:", len(rows) - 1, "third row:", rows[3])
    people = list(csv.DictReader(io.StringIO(RAW)))
    for p in people:
        p["salary"] = int(p["salary"].replace(",", ""))
    by_dept = {}
    for p in people:
        by_dept.setdefault(p["department"], []).append(p["salary"])
    for dept in sorted(by_dept):
        sal = by_dept[dept]
        print(f"{dept:<12} n={len(sal)} avg={sum(sal) / len(sal):>10.2f}")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["name", "salary", "raise"], lineterminator="\n")
    writer.writeheader()
    for p in sorted(people, key=lambda p: p["name"]):
        writer.writerow({"name": p["name"], "salary": p["salary"], "raise": round(p["salary"] * 0.05)})
    print(out.getvalue(), end="")
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
    w.writerow(["text", 1, 2.5, 'quote "inside"'])
    w.writerows([["a,b", 3, 4.0, ""], ["line\nbreak", 0, -1.5, "x"]])
    text = buf.getvalue()
    print(text, end="")
    back = list(csv.reader(io.StringIO(text), quoting=csv.QUOTE_NONNUMERIC))
    print("parsed back:", back)
    tsv = "x\ty\n1\t2\n3\t4\n"
    print("tsv sums:", [sum(int(r[i]) for r in list(csv.reader(io.StringIO(tsv), delimiter="\t"))[1:]) for i in range(2)])
    sniff = csv.Sniffer().sniff("a;b;c\n1;2;3\n")
    print("sniffed delimiter:", repr(sniff.delimiter))


if __name__ == "__main__":
    main()
