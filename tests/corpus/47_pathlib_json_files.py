"""pathlib: write_text/read_text, mkdir, iterdir, glob, json file round trip, cleanup."""
import json
import shutil
from pathlib import Path

BASE = Path("_work_47_pathlib")


def main():
    shutil.rmtree(BASE, ignore_errors=True)
    BASE.mkdir()
    (BASE / "docs").mkdir(exist_ok=True)
    readme = BASE / "README.md"
    n = readme.write_text("# Project\n\nSome text.\n", encoding="utf-8")
    print("wrote chars:", n)
    print("read back:", readme.read_text(encoding="utf-8").splitlines())
    for i, name in enumerate(["a.txt", "b.txt", "c.log"]):
        (BASE / "docs" / name).write_text(f"file {i}\n" * (i + 1))
    print("iterdir:", sorted(p.name for p in (BASE / "docs").iterdir()))
    print("glob *.txt:", sorted(p.name for p in BASE.glob("docs/*.txt")))
    print("rglob *:", sorted(p.relative_to(BASE).as_posix() for p in BASE.rglob("*")))
    p = BASE / "docs" / "archive.tar.gz"
    print("name parts:", p.name, p.stem, p.suffix, p.suffixes, p.parent.name)
    print("with_suffix:", p.with_suffix(".zip").name, "joined:", (Path("x") / "y" / "z.py").as_posix())
    config = {"version": 3, "features": ["search", "export"], "limits": {"users": 50, "storage_gb": 1.5}}
    cfg_path = BASE / "config.json"
    with cfg_path.open("w", encoding="utf-8") as f:
        json.dump(config, f, indent=2, sort_keys=True)
    loaded = json.loads(cfg_path.read_text(encoding="utf-8"))
    print("json round trip equal:", loaded == config)
    print("json file lines:", len(cfg_path.read_text().splitlines()))
    loaded["version"] += 1
    cfg_path.write_text(json.dumps(loaded, sort_keys=True))
    with cfg_path.open() as f:
        print("updated:", json.load(f))
    sizes = {q.name: q.stat().st_size for q in sorted((BASE / "docs").iterdir())}
    print("sizes:", sizes)
    renamed = (BASE / "docs" / "c.log").rename(BASE / "docs" / "c.txt")
    print("renamed exists:", renamed.exists(), "old exists:", (BASE / "docs" / "c.log").exists())
    print("is_file/is_dir:", readme.is_file(), (BASE / "docs").is_dir())
    for q in sorted(BASE.rglob("*"), key=lambda q: len(q.parts), reverse=True):
        q.unlink() if q.is_file() else q.rmdir()
    BASE.rmdir()
    print("cleaned up:", not BASE.exists())


if __name__ == "__main__":
    main()
