"""Class hierarchy with inheritance, super(), properties, class/static methods."""

class Animal:
    count = 0

    def __init__(self, name, sound="..."):
        self.name = name
        self._sound = sound
        Animal.count += 1

    def speak(self):
        return f"{self.name} says {self._sound}"

    @property
    def kind(self):
        return type(self).__name__.lower()

    def __repr__(self):
        return f"{type(self).__name__}({self.name!r})"

    def __eq__(self, other):
        return type(self) is type(other) and self.name == other.name

    def __hash__(self):
        return hash((type(self).__name__, self.name))

class Dog(Animal):
    def __init__(self, name, tricks=()):
        super().__init__(name, "woof")
        self.tricks = list(tricks)

    def speak(self):
        base = super().speak()
        return base + (f" and knows {', '.join(self.tricks)}" if self.tricks else "")

class Cat(Animal):
    def __init__(self, name, indoor=True):
        super().__init__(name, "meow")
        self.indoor = indoor

    @classmethod
    def stray(cls, name):
        return cls(name, indoor=False)

class Kitten(Cat):
    def speak(self):
        return super().speak().replace("meow", "mew")

    @staticmethod
    def sleep_hours():
        return 20

def main():
    zoo = [Dog("Rex", ["sit", "roll"]), Cat("Tom"), Cat.stray("Alley"), Kitten("Bit"), Animal("Generic")]
    for a in zoo:
        print(f"{a!r:<18} {a.kind:<7} {a.speak()}")
    print("count:", Animal.count)
    print("MRO:", [c.__name__ for c in Kitten.__mro__])
    print("isinstance Kitten/Cat:", isinstance(zoo[3], Cat), "issubclass Dog/Cat:", issubclass(Dog, Cat))
    print("indoor:", [c.indoor for c in zoo if isinstance(c, Cat)])
    print("kitten sleeps", Kitten.sleep_hours(), "hours")
    print("equality:", Dog("Rex") == Dog("Rex"), Dog("Rex") == Cat("Rex"))
    unique = {Dog("A"), Dog("A"), Cat("A")}
    print("unique count:", len(unique))
    print("has speak:", all(hasattr(a, "speak") for a in zoo), "has tricks:", [hasattr(a, "tricks") for a in zoo])
    print("final count:", Animal.count)

if __name__ == "__main__":
    main()
