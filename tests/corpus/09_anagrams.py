"""Anagram grouping and checking."""
from collections import Counter, defaultdict
from itertools import permutations

WORDS = ["listen", "silent", "enlist", "google", "gooegl", "cat", "act",
         "tac", "dog", "god", "odg", "bird", "inlets", "tinsel"]


def is_anagram(a, b):
    norm = lambda s: sorted(s.replace(" ", "").lower())
    return norm(a) == norm(b)


def is_anagram_counter(a, b):
    return Counter(a.replace(" ", "").lower()) == Counter(b.replace(" ", "").lower())


def group_anagrams(words):
    groups = defaultdict(list)
    for w in words:
        groups["".join(sorted(w))].append(w)
    return groups


def main():
    pairs = [("Dormitory", "Dirty room"), ("The eyes", "They see"),
             ("hello", "world"), ("Astronomer", "Moon starer")]
    for a, b in pairs:
        print(f"{a!r} vs {b!r}: {is_anagram(a, b)} / {is_anagram_counter(a, b)}")
    groups = group_anagrams(WORDS)
    for key in sorted(groups):
        print(f"{key:<8} {sorted(groups[key])}")
    biggest = max(sorted(groups), key=lambda k: len(groups[k]))
    print("largest group key:", biggest, "size", len(groups[biggest]))
    perms = sorted(set("".join(p) for p in permutations("stop")))
    dictionary = {"stop", "pots", "tops", "spot", "opts", "post"}
    real = [p for p in perms if p in dictionary]
    print("permutations of 'stop':", len(perms))
    print("dictionary words:", real)


if __name__ == "__main__":
    main()
