"""Abstract base classes and polymorphism with shapes."""
import math
from abc import ABC, abstractmethod

class Shape(ABC):
    @abstractmethod
    def area(self): ...

    @abstractmethod
    def perimeter(self): ...

    def describe(self):
        return f"{self!r}: area={self.area():.3f} perimeter={self.perimeter():.3f}"

    def __lt__(self, other):
        return self.area() < other.area()

class Circle(Shape):
    def __init__(self, r):
        self.r = r

    def area(self):
        return math.pi * self.r ** 2

    def perimeter(self):
        return 2 * math.pi * self.r

    def __repr__(self):
        return f"Circle(r={self.r})"

class Rectangle(Shape):
    def __init__(self, w, h):
        self.w, self.h = w, h

    def area(self):
        return self.w * self.h

    def perimeter(self):
        return 2 * (self.w + self.h)

    def __repr__(self):
        return f"{type(self).__name__}({self.w}x{self.h})"

class Square(Rectangle):
    def __init__(self, side):
        super().__init__(side, side)

def main():
    shapes = [Circle(1.5), Rectangle(3, 4), Square(2.5), Circle(0.5), Square(1)]
    for s in shapes:
        print(s.describe())
    print("sorted by area:", sorted(shapes))
    print("largest:", max(shapes, key=lambda s: s.area()))
    print(f"total area: {sum(s.area() for s in shapes):.4f}")
    try:
        Shape()
    except TypeError:
        print("cannot instantiate abstract Shape")
    print("square is rectangle:", isinstance(Square(1), Rectangle), "MRO:", [c.__name__ for c in Square.__mro__])
    by_type = {}
    for s in shapes:
        by_type.setdefault(type(s).__name__, []).append(round(s.area(), 2))
    print(by_type)

if __name__ == "__main__":
    main()
