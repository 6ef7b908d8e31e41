"""Run a unittest suite in-process and report only the counts."""
import io
import unittest

def fizzbuzz(n):
    if n % 15 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return str(n)

class FizzBuzzTests(unittest.TestCase):
    def test_plain(self):
        self.assertEqual(fizzbuzz(1), "1")

    def test_fizz(self):
        self.assertEqual(fizzbuzz(9), "Fizz")

    def test_buzz(self):
        self.assertEqual(fizzbuzz(10), "Buzz")

    def test_fizzbuzz(self):
        self.assertEqual(fizzbuzz(45), "FizzBuzz")

    def test_sequence(self):
        seq = [fizzbuzz(i) for i in range(1, 16)]
        self.assertEqual(seq.count("Fizz"), 4)
        self.assertIn("FizzBuzz", seq)

class DeliberateProblems(unittest.TestCase):
    def test_wrong_expectation(self):
        self.assertEqual(fizzbuzz(3), "Buzz")

    def test_raises_error(self):
        {}["missing"]

    def test_assert_raises(self):
        with self.assertRaises(ZeroDivisionError):
            1 / 0

    @unittest.skip("demonstrating skip")
    def test_skipped(self):
        self.fail("should not run")

    @unittest.expectedFailure
    def test_expected_failure(self):
        self.assertTrue(False)

def main():
    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    suite.addTests(loader.loadTestsFromTestCase(FizzBuzzTests))
    suite.addTests(loader.loadTestsFromTestCase(DeliberateProblems))
    print("tests in suite:", suite.countTestCases())
    result = unittest.TextTestRunner(stream=io.StringIO(), verbosity=0).run(suite)
    print("testsRun:", result.testsRun)
    print("failures:", len(result.failures))
    print("errors:", len(result.errors))
    print("skipped:", len(result.skipped), "expectedFailures:", len(result.expectedFailures))
    print("wasSuccessful:", result.wasSuccessful())
    print("failed test names:", sorted(t.id().split(".")[-1] for t, _ in result.failures))
    print("errored test names:", sorted(t.id().split(".")[-1] for t, _ in result.errors))
    good = unittest.TestSuite(loader.loadTestsFromTestCase(FizzBuzzTests))
    r2 = unittest.TextTestRunner(stream=io.StringIO(), verbosity=0).run(good)
    print("good suite:", r2.testsRun, len(r2.failures), len(r2.errors), r2.wasSuccessful())

if __name__ == "__main__":
    main()
