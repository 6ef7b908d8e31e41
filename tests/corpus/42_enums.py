"""enum: Enum, IntEnum, auto, Flag, unique, members iteration and lookup."""
from enum import Enum, Flag, IntEnum, auto, unique

@unique
class Color(Enum):
    RED = 1
    GREEN = 2
    BLUE = 3

    @property
    def hex(self):
        return {"RED": "#ff0000", "GREEN": "#00ff00", "BLUE": "#0000ff"}[self.name]

class Priority(IntEnum):
    LOW = 1
    MEDIUM = 5
    HIGH = 10

class State(Enum):
    IDLE = auto()
    RUNNING = auto()
    DONE = auto()

    def next(self):
        members = list(type(self))
        return members[(members.index(self) + 1) % len(members)]

class Perm(Flag):
    READ = auto()
    WRITE = auto()
    EXEC = auto()
    ALL = READ | WRITE | EXEC

def main():
    print([c.name for c in Color], [c.value for c in Color])
    print("lookup:", Color(2), Color["BLUE"], Color.RED.hex)
    print("identity:", Color.RED is Color(1), Color.RED == 1)
    print("str/repr:", str(Color.GREEN), repr(Color.GREEN))
    print("priority compare:", Priority.HIGH > Priority.LOW, Priority.MEDIUM + 1, int(Priority.HIGH))
    print("sorted:", sorted([Priority.HIGH, Priority.LOW, Priority.MEDIUM]))
    print("auto values:", [(s.name, s.value) for s in State])
    s = State.IDLE
    for _ in range(4):
        print("  state:", s.name, "->", s.next().name)
        s = s.next()
    p = Perm.READ | Perm.WRITE
    print("flag:", p, "has READ:", Perm.READ in p, "has EXEC:", Perm.EXEC in p)
    print("ALL value:", Perm.ALL.value, "READ|WRITE|EXEC == ALL:", (p | Perm.EXEC) == Perm.ALL)
    print("without write:", Perm.ALL & ~Perm.WRITE)
    try:
        Color(7)
    except ValueError:
        print("Color(7) -> ValueError")
    try:
        class Dup(Enum):
            A = 1
            B = 1
        print("alias:", Dup.B is Dup.A, [m.name for m in Dup])
        unique(Dup)
    except ValueError:
        print("unique check -> ValueError")
    print("members map:", list(Color.__members__))

if __name__ == "__main__":
    main()
