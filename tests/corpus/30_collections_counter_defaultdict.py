"""collections.Counter and defaultdict in practice."""
from collections import Counter, defaultdict

ORDERS = [
    ("alice", "apple", 3), ("bob", "banana", 2), ("alice", "cherry", 5),
    ("carol", "apple", 1), ("bob", "apple", 4), ("alice", "banana", 1),
    ("dave", "durian", 1), ("carol", "cherry", 2),
]


def main():
    fruit_totals = Counter()
    for _, fruit, qty in ORDERS:
        fruit_totals[fruit] += qty
    print("fruit totals:", dict(sorted(fruit_totals.items())))
    print("most common 2:", fruit_totals.most_common(2))
    per_customer = defaultdict(list)
    for who, fruit, qty in ORDERS:
        per_customer[who].append((fruit, qty))
    for who in sorted(per_customer):
        print(f"  {who}: {per_customer[who]}")
    nested = defaultdict(lambda: defaultdict(int))
    for who, fruit, qty in ORDERS:
        nested[who][fruit] += qty
    print("bob's apples:", nested["bob"]["apple"], "bob's kiwis:", nested["bob"]["kiwi"])
    a = Counter("abracadabra")
    b = Counter("alakazam")
    print("a:", sorted(a.items()))
    print("a + b:", sorted((a + b).items()))
    print("a - b:", sorted((a - b).items()))
    print("a & b:", sorted((a & b).items()))
    print("a | b:", sorted((a | b).items()))
    print("elements:", "".join(sorted(Counter(x=2, y=1, z=3).elements())))
    c = Counter(a=5, b=2)
    c.subtract({"a": 1, "b": 4, "c": 1})
    print("after subtract:", dict(c), "total:", c.total())
    print("missing key:", c["zzz"])
    groups = defaultdict(set)
    for word in ["tea", "eat", "ate", "tan", "nat", "bat"]:
        groups["".join(sorted(word))].add(word)
    print("anagram groups:", {k: sorted(v) for k, v in sorted(groups.items())})
    counter_int = defaultdict(int)
    for ch in "mississippi":
        counter_int[ch] += 1
    print("mississippi:", sorted(counter_int.items(), key=lambda kv: (-kv[1], kv[0])))


if __name__ == "__main__":
    main()
