"""A Stack class with a unittest suite (setUp, subTest, assertRaises) run in-process."""
import io
import unittest


class Stack:
    def __init__(self):
        self._items = []

    def push(self, x):
        self._items.append(x)

    def pop(self):
        if not self._items:
            raise IndexError("pop from empty stack")
        return self._items.pop()

    def peek(self):
        return self._items[-1] if self._items else None

    def __len__(self): return len(self._items)


class StackTests(unittest.TestCase):
    def setUp(self):
        self.s = Stack()
        for x in (1, 2, 3):
            self.s.push(x)

    def test_len(self):
        self.assertEqual(len(self.s), 3)

    def test_pop_order(self):
        self.assertEqual([self.s.pop() for _ in range(3)], [3, 2, 1])

    def test_peek(self):
        self.assertEqual(self.s.peek(), 3)
        self.assertIsNone(Stack().peek())

    def test_empty_pop(self):
        with self.assertRaises(IndexError):
            Stack().pop()

    def test_subtests(self):
        for n in range(5):
            with self.subTest(n=n):
                s = Stack()
                for i in range(n):
                    s.push(i)
                self.assertEqual(len(s), n)

    def test_float_math(self):
        self.assertAlmostEqual(0.1 + 0.2, 0.3, places=9)

    def test_intentional_failure(self):
        self.assertEqual(self.s.peek(), 99, "this one fails on purpose")


def main():
    suite = unittest.TestLoader().loadTestsFromTestCase(StackTests)
    names = sorted(t.id().rsplit(".", 1)[-1] for t in suite)
    print("discovered:", names)
    result = unittest.TextTestRunner(stream=io.StringIO(), verbosity=0).run(suite)
    print("testsRun:", result.testsRun, "failures:", len(result.failures), "errors:", len(result.errors))
    print("failing:", [t.id().rsplit(".", 1)[-1] for t, _ in result.failures])
    print("success:", result.wasSuccessful())


if __name__ == "__main__":
    main()
