"""Inventory management simulation: stock, orders, restocking and reports."""
from dataclasses import dataclass

class OutOfStock(Exception): pass

@dataclass
class Item:
    sku: str
    name: str
    price: float
    qty: int
    reorder_level: int = 5

class Inventory:
    def __init__(self):
        self.items, self.log = {}, []

    def add(self, item):
        self.items[item.sku] = item
        self.log.append(f"added {item.sku} x{item.qty}")

    def sell(self, sku, qty):
        item = self.items[sku]
        if item.qty < qty:
            raise OutOfStock(f"{item.name}: requested {qty}, only {item.qty} left")
        item.qty -= qty
        self.log.append(f"sold {sku} x{qty}")
        return round(item.price * qty, 2)

    def restock(self, amount=20):
        restocked = []
        for item in self.items.values():
            if item.qty <= item.reorder_level:
                item.qty += amount
                restocked.append(item.sku)
        self.log.append(f"restocked {restocked}")
        return restocked

    def value(self):
        return round(sum(i.price * i.qty for i in self.items.values()), 2)

    def report(self):
        lines = [f"{'SKU':<6}{'Name':<14}{'Qty':>5}{'Price':>9}{'Value':>10}"]
        for i in sorted(self.items.values(), key=lambda i: i.sku):
            lines.append(f"{i.sku:<6}{i.name:<14}{i.qty:>5}{i.price:>9.2f}{i.price * i.qty:>10.2f}")
        return "\n".join(lines)

def main():
    inv = Inventory()
    for item in [Item("A100", "Hammer", 12.5, 10), Item("B200", "Screwdriver", 4.25, 30),
                 Item("C300", "Wrench", 9.99, 6, reorder_level=3), Item("D400", "Tape", 2.0, 4)]:
        inv.add(item)
    print(inv.report())
    print("value:", inv.value())
    revenue = 0
    orders = [("A100", 6), ("B200", 28), ("C300", 7), ("Z999", 1), ("D400", 4), ("C300", 3)]
    for sku, qty in orders:
        try:
            revenue += inv.sell(sku, qty)
        except OutOfStock as e:
            print("OutOfStock:", e)
        except KeyError as e:
            print("unknown SKU:", e.args[0])
    print(f"revenue: {revenue:.2f}")
    print("restocked:", inv.restock())
    print(inv.report() + f"\nvalue: {inv.value()}")
    print("log entries:", len(inv.log), "last:", inv.log[-1])

if __name__ == "__main__":
    main()
