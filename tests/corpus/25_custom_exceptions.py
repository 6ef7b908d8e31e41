"""Custom exception hierarchy with try/except/else/finally."""

class AppError(Exception):
    """Base error for the app."""

class ValidationError(AppError):
    def __init__(self, field, message):
        super().__init__(f"{field}: {message}")
        self.field = field

class InsufficientFunds(AppError):
    def __init__(self, balance, amount):
        super().__init__(f"cannot withdraw {amount}, balance is {balance}")
        self.shortfall = amount - balance

def validate_user(user):
    if not user.get("name"):
        raise ValidationError("name", "required")
    age = user.get("age")
    if not isinstance(age, int) or age < 0:
        raise ValidationError("age", f"must be a non-negative int, got {age!r}")
    return True

def withdraw(balance, amount):
    if amount > balance:
        raise InsufficientFunds(balance, amount)
    return balance - amount

def process(label, func, *args):
    log = []
    try:
        result = func(*args)
    except ValidationError as e:
        log.append(f"validation error on field '{e.field}': {e}")
    except AppError as e:
        log.append(f"{type(e).__name__}: {e}")
    except Exception as e:
        log.append(f"unexpected {type(e).__name__}")
    else:
        log.append(f"ok -> {result}")
    finally:
        log.append("finally ran")
    print(f"{label}: " + " | ".join(log))

def main():
    process("user1", validate_user, {"name": "Ann", "age": 30})
    process("user2", validate_user, {"name": "", "age": 30})
    process("user3", validate_user, {"name": "Bo", "age": "old"})
    process("w1", withdraw, 100, 30)
    process("w2", withdraw, 100, 250)
    process("div", lambda a, b: a / b, 1, 0)
    process("key", lambda d: d["missing"], {})
    try:
        withdraw(10, 15)
    except InsufficientFunds as e:
        print("shortfall:", e.shortfall, "args:", e.args)
    print("hierarchy:", [c.__name__ for c in InsufficientFunds.__mro__])
    try:
        try:
            raise ValidationError("email", "bad format")
        finally:
            print("inner finally")
    except AppError as e:
        print("outer caught:", repr(str(e)), isinstance(e, ValidationError))

if __name__ == "__main__":
    main()
