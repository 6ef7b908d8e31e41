"""Seeded Monte Carlo simulations: dice, birthday paradox, pi estimate, random walk."""
import random
from collections import Counter


def roll_dice(rng, n):
    return Counter(rng.randint(1, 6) + rng.randint(1, 6) for _ in range(n))


def birthday_trial(rng, people):
    days = [rng.randrange(365) for _ in range(people)]
    return len(set(days)) < people


def estimate_pi(rng, samples):
    inside = sum(1 for _ in range(samples) if rng.random() ** 2 + rng.random() ** 2 <= 1)
    return 4 * inside / samples


def monty_hall(rng, switch, trials):
    wins = 0
    for _ in range(trials):
        car, pick = rng.randrange(3), rng.randrange(3)
        opened = next(d for d in range(3) if d != car and d != pick)
        if switch:
            pick = next(d for d in range(3) if d != pick and d != opened)
        wins += pick == car
    return wins / trials


def main():
    random.seed(42)
    rng = random.Random(42)
    counts = roll_dice(rng, 3000)
    for total in range(2, 13):
        print(f"{total:>2}: {counts[total]:>4} {'*' * (counts[total] // 20)}")
    print("most common sum:", counts.most_common(1)[0][0])
    for people in (10, 23, 40):
        hits = sum(birthday_trial(rng, people) for _ in range(500))
        print(f"birthday paradox with {people}: {hits / 500:.3f}")
    print(f"pi estimate: {estimate_pi(rng, 20000):.4f}")
    print(f"monty hall stay: {monty_hall(rng, False, 2000):.3f} switch: {monty_hall(rng, True, 2000):.3f}")
    names = ["ann", "bob", "cid", "dee", "eve", "fay"]
    random.shuffle(names)
    print("teams:", sorted(names[:3]), sorted(names[3:]))
    print("winner:", random.choice(names), "runner-ups:", random.sample(names, 2))
    print("gauss-ish:", [round(random.gauss(0, 1), 4) for _ in range(3)])


if __name__ == "__main__":
    main()
