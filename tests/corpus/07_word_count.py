"""Word frequency analysis of a fixed text."""
import re
from collections import Counter

TEXT = """It was the best of times, it was the worst of times, it was the age of
wisdom, it was the age of foolishness, it was the epoch of belief, it was the
epoch of incredulity, it was the season of Light, it was the season of Darkness,
it was the spring of hope, it was the winter of despair."""


def tokenize(text):
    return re.findall(r"[a-z']+", text.lower())


def manual_count(words):
    counts = {}
    for w in words:
        counts[w] = counts.get(w, 0) + 1
    return counts


def main():
    words = tokenize(TEXT)
    print("total words:", len(words))
    print("unique words:", len(set(words)))
    counts = Counter(words)
    print("top 5:")
    for word, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:5]:
        print(f"  {word:<8}{n:>3} {'#' * n}")
    manual = manual_count(words)
    print("manual matches Counter:", manual == dict(counts))
    singles = sorted(w for w, n in counts.items() if n == 1)
    print("hapax legomena:", ", ".join(singles))
    by_len = {}
    for w in sorted(set(words)):
        by_len.setdefault(len(w), []).append(w)
    for length in sorted(by_len):
        print(f"len {length}: {by_len[length]}")
    lines = TEXT.splitlines()
    print("lines:", len(lines), "chars:", len(TEXT))
    longest = max(sorted(set(words)), key=len)
    print("longest word:", longest)
    letters = Counter(c for c in TEXT.lower() if c.isalpha())
    print("top letters:", sorted(letters.items(), key=lambda kv: (-kv[1], kv[0]))[:6])


if __name__ == "__main__":
    main()
