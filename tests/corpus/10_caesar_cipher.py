"""Caesar and Vigenere ciphers, plus brute-force cracking by letter frequency."""
import string
from collections import Counter


def caesar(text, shift):
    out = []
    for ch in text:
        if ch.isupper():
            out.append(chr((ord(ch) - 65 + shift) % 26 + 65))
        elif ch.islower():
            out.append(chr((ord(ch) - 97 + shift) % 26 + 97))
        else:
            out.append(ch)
    return "".join(out)


def caesar_translate(text, shift):
    lo, up = string.ascii_lowercase, string.ascii_uppercase
    table = str.maketrans(lo + up, lo[shift:] + lo[:shift] + up[shift:] + up[:shift])
    return text.translate(table)


def vigenere(text, key, decrypt=False):
    out, k = [], 0
    for ch in text:
        if ch.isalpha():
            shift = ord(key[k % len(key)].lower()) - 97
            base = 65 if ch.isupper() else 97
            shift = -shift if decrypt else shift
            out.append(chr((ord(ch) - base + shift) % 26 + base))
            k += 1
        else:
            out.append(ch)
    return "".join(out)


def crack(cipher):
    def score(s):
        freq = Counter(c for c in s.lower() if c.isalpha())
        return sum(freq[c] for c in "etaoinshr")
    return max(range(26), key=lambda s: (score(caesar(cipher, -s)), -s))


def main():
    msg = "The quick brown fox jumps over the lazy dog! 123"
    for shift in (3, 13, 25):
        enc = caesar(msg, shift)
        print(f"shift {shift:>2}: {enc}")
        assert enc == caesar_translate(msg, shift)
        print(f"   back: {caesar(enc, -shift)}")
    print("rot13 twice is identity:", caesar(caesar(msg, 13), 13) == msg)
    v = vigenere("Attack at dawn", "LEMON")
    print("vigenere:", v, "->", vigenere(v, "LEMON", decrypt=True))
    secret = caesar("Meet me near the old oak tree at seven this evening", 7)
    print("secret:", secret)
    s = crack(secret)
    print("cracked shift:", s, "->", caesar(secret, -s))


if __name__ == "__main__":
    main()
