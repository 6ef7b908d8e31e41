"""Decorators with functools.wraps: logging, counting, retry."""
from functools import wraps

LOG = []

def logged(func):
    @wraps(func)
    def wrapper(*args, **kwargs):
        result = func(*args, **kwargs)
        LOG.append(f"{func.__name__}{args} -> {result!r}")
        return result
    return wrapper

def count_calls(func):
    @wraps(func)
    def wrapper(*args, **kwargs):
        wrapper.calls += 1
        return func(*args, **kwargs)
    wrapper.calls = 0
    return wrapper

def retry(times):
    def decorator(func):
        @wraps(func)
        def wrapper(*args, **kwargs):
            for attempt in range(1, times + 1):
                try:
                    return func(*args, **kwargs)
                except ValueError as e:
                    LOG.append(f"attempt {attempt} failed: {e}")
            raise RuntimeError(f"{func.__name__} failed after {times} attempts")
        return wrapper
    return decorator

@logged
@count_calls
def add(a, b):
    """Add two numbers."""
    return a + b

state = {"n": 0}

@retry(3)
def flaky():
    state["n"] += 1
    if state["n"] < 3:
        raise ValueError(f"not yet ({state['n']})")
    return "success"

def main():
    print(add(2, 3), add("a", "b"))
    print("name/doc preserved:", add.__name__, "|", add.__doc__)
    print("wrapped chain:", add.__wrapped__.__name__, "calls:", add.__wrapped__.calls)
    print(flaky())
    state["n"] = -10
    try:
        flaky()
    except RuntimeError as e:
        print("RuntimeError:", e)
    for line in LOG:
        print("  log:", line)

if __name__ == "__main__":
    main()
