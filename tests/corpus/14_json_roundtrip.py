"""JSON serialisation round trips with sort_keys, indent and custom encoders."""
import json


class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y

    def __repr__(self):
        return f"Point({self.x}, {self.y})"


def encode(obj):
    if isinstance(obj, Point):
        return {"__point__": True, "x": obj.x, "y": obj.y}
    if isinstance(obj, set):
        return sorted(obj)
    raise TypeError(f"cannot encode {type(obj).__name__}")


def decode(d):
    if d.get("__point__"):
        return Point(d["x"], d["y"])
    return d


def main():
    data = {
        "name": "Widget",
        "id": 1024,
        "price": 19.99,
        "tags": ["tools", "hardware"],
        "in_stock": True,
        "discount": None,
        "dimensions": {"w": 10, "h": 2.5, "d": 4},
        "unicode": "caf\u00e9 \u2603",
    }
    compact = json.dumps(data, sort_keys=True)
    print(compact)
    print(json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False))
    print(json.dumps(data["dimensions"], separators=(",", ":")))
    back = json.loads(compact)
    print("round trip equal:", back == data)
    print("types:", sorted((k, type(v).__name__) for k, v in back.items()))
    shapes = {"origin": Point(0, 0), "corner": Point(3, 4), "ids": {3, 1, 2}}
    s = json.dumps(shapes, default=encode, sort_keys=True)
    print(s)
    restored = json.loads(s, object_hook=decode)
    print("restored:", restored)
    print(json.dumps([1, 2.0, "three", [4], {"five": 5}]))
    print(json.loads('[1e3, -0.5, "\\u00e9", true, null]'))
    try:
        json.loads("{bad json}")
    except json.JSONDecodeError as e:
        print("decode error:", type(e).__name__, "at pos", e.pos)


if __name__ == "__main__":
    main()
