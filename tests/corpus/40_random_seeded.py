"""random with a fixed seed: shuffle, randint, choice, sample, choices, uniform (rounded)."""
import random


def main():
    random.seed(42)
    deck = [f"{r}{s}" for s in "SHDC" for r in ["A", "2", "3", "4", "5", "6", "7", "8", "9", "T", "J", "Q", "K"]]
    random.shuffle(deck)
    print("hand:", deck[:5])
    print("randint:", [random.randint(1, 6) for _ in range(10)])
    print("choice:", random.choice(["red", "green", "blue", "yellow"]))
    print("sample:", random.sample(range(100), 5))
    print("randrange:", [random.randrange(0, 100, 5) for _ in range(5)])
    print("random:", [round(random.random(), 6) for _ in range(3)])
    print("uniform:", round(random.uniform(10, 20), 6))
    print("choices weighted:", random.choices(["a", "b", "c"], weights=[10, 1, 1], k=8))
    print("getrandbits:", random.getrandbits(32))
    rng = random.Random(2024)
    print("instance:", [rng.randint(0, 9) for _ in range(8)])
    state = rng.getstate()
    first = [rng.random() for _ in range(3)]
    rng.setstate(state)
    second = [rng.random() for _ in range(3)]
    print("state restore reproducible:", first == second)
    random.seed("hello")
    print("string seed:", random.randint(1, 1000))
    random.seed(42)
    a = [random.randint(0, 1000) for _ in range(5)]
    random.seed(42)
    b = [random.randint(0, 1000) for _ in range(5)]
    print("reseed equal:", a == b, a)
    random.seed(7)
    word = list("python")
    random.shuffle(word)
    print("shuffled word:", "".join(word))
    random.seed(1)
    walk, pos = [], 0
    for _ in range(15):
        pos += random.choice((-1, 1))
        walk.append(pos)
    print("random walk:", walk)


if __name__ == "__main__":
    main()
