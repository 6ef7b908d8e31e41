"""Password policy validator that reports results and ends main() with sys.exit(0)."""
import re
import string
import sys

RULES = [
    ("length >= 8", lambda p: len(p) >= 8),
    ("has lowercase", lambda p: any(c.islower() for c in p)),
    ("has uppercase", lambda p: any(c.isupper() for c in p)),
    ("has digit", lambda p: any(c.isdigit() for c in p)),
    ("has symbol", lambda p: any(c in string.punctuation for c in p)),
    ("no triple repeat", lambda p: not re.search(r"(.)\1\1", p)),
]


def check(password):
    failed = [name for name, rule in RULES if not rule(password)]
    score = len(RULES) - len(failed)
    label = ["very weak", "very weak", "weak", "fair", "good", "strong", "excellent"][score]
    return score, label, failed


def main():
    candidates = ["password", "Passw0rd!", "aaaBBB111!!!", "Tr0ub4dor&3", "x", "correct horse battery staple"]
    summary = {}
    for pw in candidates:
        score, label, failed = check(pw)
        summary[label] = summary.get(label, 0) + 1
        masked = pw[0] + "*" * (len(pw) - 2) + pw[-1] if len(pw) > 2 else "*" * len(pw)
        sys.stdout.write(f"{masked:<30} {score}/{len(RULES)} {label}\n")
        if failed:
            print("    failed:", ", ".join(failed))
    print("summary:", dict(sorted(summary.items())))
    strong = [pw for pw in candidates if check(pw)[0] == len(RULES)]
    print("fully compliant:", len(strong))
    sys.stdout.flush()
    sys.exit(0)


if __name__ == "__main__":
    main()
