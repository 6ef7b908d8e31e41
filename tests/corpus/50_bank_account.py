"""Bank account simulation with transactions, interest, transfers and an audit log."""
from decimal import ROUND_HALF_UP, Decimal

class InsufficientFunds(Exception):
    pass

class Account:
    _next_id = 1000

    def __init__(self, owner, balance="0"):
        self.owner = owner
        self.balance = Decimal(balance)
        self.history = []
        self.number = Account._next_id
        Account._next_id += 1

    def deposit(self, amount, memo="deposit"):
        amount = Decimal(amount)
        if amount <= 0:
            raise ValueError("deposit must be positive")
        self.balance += amount
        self.history.append((memo, amount, self.balance))

    def withdraw(self, amount, memo="withdraw"):
        amount = Decimal(amount)
        if amount > self.balance:
            raise InsufficientFunds(f"{self.owner}: need {amount}, have {self.balance}")
        self.balance -= amount
        self.history.append((memo, -amount, self.balance))

    def transfer(self, other, amount):
        self.withdraw(amount, f"transfer to {other.number}")
        other.deposit(amount, f"transfer from {self.number}")

    def __repr__(self):
        return f"Account(#{self.number}, {self.owner}, {self.balance})"

class SavingsAccount(Account):
    def __init__(self, owner, balance="0", rate="0.02"):
        super().__init__(owner, balance)
        self.rate = Decimal(rate)

    def add_interest(self):
        interest = (self.balance * self.rate / 12).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        self.deposit(interest, "interest")
        return interest

def main():
    alice = Account("Alice", "100.00")
    bob = SavingsAccount("Bob", "2500.00", rate="0.045")
    alice.deposit("50.25")
    alice.withdraw("20")
    alice.transfer(bob, "30.25")
    for month in range(1, 4):
        print(f"month {month} interest: {bob.add_interest()}")
    for op, args in [(alice.withdraw, ("1000",)), (alice.deposit, ("-5",))]:
        try:
            op(*args)
        except (InsufficientFunds, ValueError) as e:
            print(f"{type(e).__name__}: {e}")
    for acct in (alice, bob):
        print(acct)
        for memo, amount, bal in acct.history:
            print(f"    {memo:<20}{amount:>+10}{bal:>10}")
    print("total holdings:", alice.balance + bob.balance)

if __name__ == "__main__":
    main()
