"""deque, namedtuple, OrderedDict and ChainMap."""
from collections import ChainMap, OrderedDict, deque, namedtuple

Point = namedtuple("Point", ["x", "y"])
Employee = namedtuple("Employee", "name dept salary", defaults=[50000])

def sliding_max(nums, k):
    dq, out = deque(), []
    for i, n in enumerate(nums):
        while dq and nums[dq[-1]] <= n:
            dq.pop()
        dq.append(i)
        if dq[0] <= i - k:
            dq.popleft()
        if i >= k - 1:
            out.append(nums[dq[0]])
    return out

class LRU:
    def __init__(self, capacity):
        self.cap, self.data = capacity, OrderedDict()

    def get(self, key):
        if key not in self.data:
            return None
        self.data.move_to_end(key)
        return self.data[key]

    def put(self, key, value):
        self.data[key] = value
        self.data.move_to_end(key)
        if len(self.data) > self.cap:
            self.data.popitem(last=False)

def main():
    d = deque([1, 2, 3], maxlen=5)
    d.appendleft(0)
    d.extend([4, 5, 6])
    print("deque:", list(d), "maxlen:", d.maxlen)
    d.rotate(2)
    print("rotated:", list(d))
    print("sliding max k=3:", sliding_max([1, 3, -1, -3, 5, 3, 6, 7], 3))
    p = Point(3, 4)
    print(p, "x+y =", p.x + p.y, "as dict:", p._asdict())
    print("replace:", p._replace(y=10), "fields:", Point._fields)
    staff = [Employee("ann", "eng", 120000), Employee("bo", "ops"), Employee("cy", "eng", 90000)]
    for e in sorted(staff, key=lambda e: -e.salary):
        print(f"  {e.name:<4}{e.dept:<5}{e.salary:>8,}")
    x, y = Point._make([7, 8])
    print("unpacked:", x, y)
    cache = LRU(2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.get("a")
    cache.put("c", 3)
    print("LRU keys:", list(cache.data), "get b:", cache.get("b"))
    od = OrderedDict.fromkeys("abcde")
    od.move_to_end("b")
    od.move_to_end("e", last=False)
    print("ordered:", "".join(od))
    defaults = {"color": "red", "size": "M"}
    user = {"size": "L"}
    cm = ChainMap(user, defaults)
    print("chainmap:", cm["color"], cm["size"], sorted(cm.keys()))
    q = deque(["t1", "t2", "t3"])
    print("process order:", [q.popleft() for _ in range(len(q))])

if __name__ == "__main__":
    main()
