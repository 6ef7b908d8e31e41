"""Singly linked list with iteration, insertion, deletion, and reversal."""

class Node:
    def __init__(self, value, next=None):
        self.value, self.next = value, next

class LinkedList:
    def __init__(self, items=()):
        self.head, self.size = None, 0
        for x in reversed(list(items)):
            self.push_front(x)

    def push_front(self, value):
        self.head = Node(value, self.head)
        self.size += 1

    def append(self, value):
        if self.head is None: return self.push_front(value)
        cur = self.head
        while cur.next:
            cur = cur.next
        cur.next = Node(value)
        self.size += 1

    def remove(self, value):
        dummy = prev = Node(None, self.head)
        while prev.next and prev.next.value != value:
            prev = prev.next
        if prev.next is None:
            raise ValueError(f"{value!r} not in list")
        prev.next = prev.next.next
        self.head = dummy.next
        self.size -= 1

    def reverse(self):
        prev, cur = None, self.head
        while cur:
            cur.next, prev, cur = prev, cur, cur.next
        self.head = prev

    def __iter__(self):
        cur = self.head
        while cur:
            yield cur.value
            cur = cur.next

    def __len__(self): return self.size

    def __repr__(self):
        return " -> ".join([repr(v) for v in self] + ["None"])

def main():
    ll = LinkedList([3, 1, 4])
    ll.append(1)
    ll.append(5)
    ll.push_front(9)
    print(ll, "| len", len(ll))
    ll.remove(1)
    print("after remove(1):", ll)
    ll.reverse()
    print("reversed:", ll, "| sum", sum(ll), "| max", max(ll))
    try:
        ll.remove(42)
    except ValueError as e:
        print("ValueError:", e)
    print("empty:", LinkedList(), len(LinkedList()))
    print("sorted copy:", LinkedList(sorted(ll)), "| contains 4:", 4 in ll)

if __name__ == "__main__":
    main()
