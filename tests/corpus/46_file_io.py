"""Reading and writing text files with open(): write, append, readlines, seek, listdir."""
import os
import shutil

WORKDIR = "_work_46_file_io"


def main():
    shutil.rmtree(WORKDIR, ignore_errors=True)
    os.makedirs(WORKDIR)
    notes = os.path.join(WORKDIR, "notes.txt")
    with open(notes, "w", encoding="utf-8") as f:
        f.write("first line\n")
        f.writelines(["second line\n", "third line\n"])
        print("fourth line", file=f)
    with open(notes, "a", encoding="utf-8") as f:
        f.write("appended line\n")
    with open(notes, encoding="utf-8") as f:
        content = f.read()
    print("total chars:", len(content))
    with open(notes, encoding="utf-8") as f:
        for i, line in enumerate(f, 1):
            print(f"{i}: {line.rstrip()}")
    with open(notes, encoding="utf-8") as f:
        lines = f.readlines()
        print("readlines count:", len(lines), "last:", repr(lines[-1]))
        f.seek(0)
        print("first 5 chars:", repr(f.read(5)), "tell:", f.tell())
        print("readline:", repr(f.readline()))
    data = os.path.join(WORKDIR, "numbers.csv")
    with open(data, "w") as f:
        for n in range(1, 6):
            f.write(f"{n},{n * n},{n ** 3}\n")
    with open(data) as f:
        rows = [list(map(int, line.split(","))) for line in f]
    print("column sums:", [sum(col) for col in zip(*rows)])
    with open(os.path.join(WORKDIR, "unicode.txt"), "w", encoding="utf-8") as f:
        f.write("na\u00efve caf\u00e9 \u65e5\u672c\n")
    with open(os.path.join(WORKDIR, "unicode.txt"), "rb") as f:
        raw = f.read()
    print("utf-8 bytes:", len(raw), "decoded:", raw.decode("utf-8").strip())
    os.makedirs(os.path.join(WORKDIR, "sub"), exist_ok=True)
    print("listdir:", sorted(os.listdir(WORKDIR)))
    print("exists:", os.path.exists(notes), "isdir sub:", os.path.isdir(os.path.join(WORKDIR, "sub")))
    print("size of numbers.csv:", os.path.getsize(data))
    os.remove(data)
    print("after remove:", sorted(os.listdir(WORKDIR)))
    try:
        open(os.path.join(WORKDIR, "missing.txt"))
    except FileNotFoundError as e:
        print("FileNotFoundError caught:", type(e).__name__)
    shutil.rmtree(WORKDIR)
    print("cleaned up:", not os.path.exists(WORKDIR))


if __name__ == "__main__":
    main()
