"""operator module: itemgetter, attrgetter, methodcaller and functional operators."""
import operator
from collections import namedtuple
from functools import reduce

Employee = namedtuple("Employee", "name dept salary age")
STAFF = [
    Employee("Ann", "eng", 120, 34), Employee("Bob", "ops", 85, 45),
    Employee("Cid", "eng", 95, 29), Employee("Dee", "sales", 85, 38),
    Employee("Eve", "ops", 110, 41),
]


def main():
    print("by salary desc, name:", [e.name for e in sorted(STAFF, key=lambda e: (-e.salary, e.name))])
    print("by dept, age:", [e.name for e in sorted(STAFF, key=operator.attrgetter("dept", "age"))])
    pairs = [("b", 2), ("a", 3), ("c", 1)]
    print("itemgetter(1):", sorted(pairs, key=operator.itemgetter(1)))
    print("multi itemgetter:", operator.itemgetter(0, 2)(["x", "y", "z"]))
    print("nested attrgetter:", operator.attrgetter("real", "imag")(3 + 4j))
    upper = operator.methodcaller("upper")
    rep = operator.methodcaller("replace", "a", "@")
    print("methodcaller:", [upper(s) for s in ("ab", "cd")], rep("banana"))
    print("add/sub/mul:", operator.add(2, 3), operator.sub(2, 3), operator.mul(4, 5))
    print("truediv/floordiv/mod/pow:", operator.truediv(7, 2), operator.floordiv(7, 2), operator.mod(7, 2), operator.pow(2, 8))
    print("neg/abs/not:", operator.neg(5), operator.abs(-5), operator.not_(0), operator.truth([]))
    print("comparisons:", operator.lt(1, 2), operator.ge(1, 2), operator.eq("a", "a"), operator.ne(1, 1))
    print("bitwise:", operator.and_(12, 10), operator.or_(12, 10), operator.xor(12, 10), operator.invert(0), operator.lshift(1, 4))
    print("contains/countOf/indexOf:", operator.contains([1, 2], 2), operator.countOf([1, 2, 1], 1), operator.indexOf("abc", "c"))
    d = {"x": 1}
    operator.setitem(d, "y", 2)
    operator.delitem(d, "x")
    print("setitem/delitem:", d, operator.getitem(d, "y"))
    print("concat:", operator.concat([1], [2]), operator.concat("ab", "cd"))
    acc = [1]
    operator.iadd(acc, [2, 3])
    print("iadd in place:", acc)
    print("reduce mul:", reduce(operator.mul, range(1, 8)))
    print("map add:", list(map(operator.add, [1, 2, 3], [10, 20, 30])))
    totals = {}
    for e in STAFF:
        totals[e.dept] = totals.get(e.dept, 0) + e.salary
    print("dept totals sorted:", sorted(totals.items(), key=operator.itemgetter(1), reverse=True))
    print("max by attr:", max(STAFF, key=operator.attrgetter("age")).name)
    print("index/length_hint:", operator.index(7), operator.length_hint(iter([1, 2, 3])))


if __name__ == "__main__":
    main()
