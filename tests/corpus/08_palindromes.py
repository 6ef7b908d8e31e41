"""Palindrome checks, longest palindromic substring and palindromic numbers."""


def is_palindrome(s):
    cleaned = [c.lower() for c in s if c.isalnum()]
    return cleaned == cleaned[::-1]


def is_palindrome_two_pointer(s):
    i, j = 0, len(s) - 1
    while i < j:
        while i < j and not s[i].isalnum():
            i += 1
        while i < j and not s[j].isalnum():
            j -= 1
        if s[i].lower() != s[j].lower():
            return False
        i += 1
        j -= 1
    return True


def longest_palindrome(s):
    best = ""
    for center in range(len(s)):
        for lo, hi in ((center, center), (center, center + 1)):
            while lo >= 0 and hi < len(s) and s[lo] == s[hi]:
                lo -= 1
                hi += 1
            cand = s[lo + 1:hi]
            if len(cand) > len(best):
                best = cand
    return best


def main():
    phrases = [
        "A man, a plan, a canal: Panama",
        "racecar",
        "hello",
        "Was it a car or a cat I saw?",
        "No 'x' in Nixon",
        "",
        "ab",
    ]
    for p in phrases:
        a, b = is_palindrome(p), is_palindrome_two_pointer(p)
        print(f"{p!r:<34} -> {a} (two-pointer agrees: {a == b})")
    for s in ("babad", "cbbd", "forgeeksskeegfor", "abacdfgdcaba"):
        print(f"longest in {s}: {longest_palindrome(s)}")
    pal_nums = [n for n in range(10, 1000) if str(n) == str(n)[::-1]]
    print("palindromic numbers 10..999:", len(pal_nums), "last five:", pal_nums[-5:])
    n, steps = 89, 0
    while str(n) != str(n)[::-1]:
        n += int(str(n)[::-1])
        steps += 1
    print(f"89 reaches palindrome {n} after {steps} reverse-and-add steps")


if __name__ == "__main__":
    main()
