"""Ordered dataclasses: sorting, field(compare=False), sort_index, slots-free."""
from dataclasses import asdict, dataclass, field
import json


@dataclass(order=True)
class Version:
    major: int
    minor: int = 0
    patch: int = 0
    label: str = field(default="", compare=False)

    @classmethod
    def parse(cls, s):
        core, _, label = s.partition("-")
        parts = [int(p) for p in core.split(".")]
        return cls(*parts, label=label)

    def __str__(self):
        s = f"{self.major}.{self.minor}.{self.patch}"
        return s + (f"-{self.label}" if self.label else "")


@dataclass(order=True)
class Task:
    sort_index: tuple = field(init=False, repr=False)
    priority: int
    name: str
    done: bool = False

    def __post_init__(self):
        self.sort_index = (-self.priority, self.name)


@dataclass
class Team:
    name: str
    members: list = field(default_factory=list)
    meta: dict = field(default_factory=dict)

    def add(self, person):
        self.members.append(person)
        return self


def main():
    versions = [Version.parse(s) for s in ["1.10.0", "1.2.3", "1.2.10", "0.9.9-beta", "2.0.0-rc1", "1.2"]]
    print("sorted:", [str(v) for v in sorted(versions)])
    print("max:", max(versions), " min:", min(versions))
    print("1.2.0 == 1.2.0-x:", Version(1, 2) == Version(1, 2, 0, "x"))
    print("compare:", Version(1, 2, 3) < Version(1, 3), Version(2) > Version(1, 99, 99))
    tasks = [Task(2, "write docs"), Task(5, "fix bug"), Task(2, "add tests"), Task(9, "deploy", True)]
    for t in sorted(tasks):
        print(f"  [{'x' if t.done else ' '}] p{t.priority} {t.name}")
    print("repr:", tasks[0])
    team = Team("core").add("ann").add("bo")
    team.meta["size"] = len(team.members)
    print(json.dumps(asdict(team), sort_keys=True))
    other = Team("other")
    print("independent defaults:", other.members, other.meta)
    try:
        Version(1) < "1.0"
    except TypeError as e:
        print("TypeError comparing with str")


if __name__ == "__main__":
    main()
