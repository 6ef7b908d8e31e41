"""copy.copy vs copy.deepcopy: nested structures, shared references, custom hooks."""
import copy


class Node:
    def __init__(self, name, children=None):
        self.name = name
        self.children = children or []

    def __repr__(self):
        return f"Node({self.name}, {self.children})"


class Config:
    def __init__(self, settings):
        self.settings = settings
        self.copies = 0

    def __deepcopy__(self, memo):
        new = Config(copy.deepcopy(self.settings, memo))
        new.copies = self.copies + 1
        return new


def main():
    original = {"name": "root", "tags": ["a", "b"], "meta": {"level": 1, "items": [1, 2]}}
    shallow = copy.copy(original)
    deep = copy.deepcopy(original)
    shallow["tags"].append("c")
    deep["meta"]["items"].append(99)
    shallow["name"] = "changed"
    print("original:", original)
    print("shallow: ", shallow)
    print("deep:    ", deep)
    print("shared tags list:", shallow["tags"] is original["tags"], "deep tags separate:", deep["tags"] is not original["tags"])
    grid = [[0] * 3] * 3
    grid[0][0] = 1
    print("aliased rows:", grid)
    good = [[0] * 3 for _ in range(3)]
    good[0][0] = 1
    print("independent rows:", good)
    shared = [1, 2]
    container = [shared, shared]
    dc = copy.deepcopy(container)
    print("deepcopy preserves sharing:", dc[0] is dc[1], "but new object:", dc[0] is not shared)
    cyclic = [1]
    cyclic.append(cyclic)
    cc = copy.deepcopy(cyclic)
    print("cyclic copy ok:", cc[1] is cc, cc[1] is not cyclic)
    tree = Node("root", [Node("a", [Node("a1")]), Node("b")])
    t2 = copy.deepcopy(tree)
    t2.children[0].children.append(Node("a2"))
    t2.name = "copy"
    print("tree:", tree)
    print("copy:", t2)
    cfg = Config({"debug": True, "paths": ["/tmp"]})
    cfg2 = copy.deepcopy(cfg)
    cfg2.settings["paths"].append("/var")
    print("config copies:", cfg.copies, cfg2.copies, cfg.settings, cfg2.settings)
    t = (1, [2, 3])
    t_copy = copy.deepcopy(t)
    t_copy[1].append(4)
    print("tuple:", t, t_copy, "immutable tuple copy is same:", copy.copy((1, 2)) == (1, 2))
    lst = [3, 1, 2]
    print("list copy methods equal:", lst[:] == list(lst) == lst.copy() == copy.copy(lst))


if __name__ == "__main__":
    main()
