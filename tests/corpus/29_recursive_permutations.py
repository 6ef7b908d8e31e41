"""Recursive generation: permutations, subsets, n-queens, and balanced parentheses."""

def permutations(items):
    if len(items) <= 1:
        return [list(items)]
    result = []
    for i, x in enumerate(items):
        for p in permutations(items[:i] + items[i + 1:]):
            result.append([x] + p)
    return result

def subsets(items):
    if not items:
        return [[]]
    rest = subsets(items[1:])
    return rest + [[items[0]] + s for s in rest]

def parens(n, open_=0, close=0, cur=""):
    if len(cur) == 2 * n:
        return [cur]
    out = []
    if open_ < n:
        out += parens(n, open_ + 1, close, cur + "(")
    if close < open_:
        out += parens(n, open_, close + 1, cur + ")")
    return out

def n_queens(n, row=0, cols=(), diag1=(), diag2=()):
    if row == n:
        return [cols]
    sols = []
    for c in range(n):
        if c in cols or row + c in diag1 or row - c in diag2:
            continue
        sols += n_queens(n, row + 1, cols + (c,), diag1 + (row + c,), diag2 + (row - c,))
    return sols

def flood_count(grid, r, c, seen):
    if not (0 <= r < len(grid) and 0 <= c < len(grid[0])) or grid[r][c] != "#" or (r, c) in seen:
        return 0
    seen.add((r, c))
    return 1 + sum(flood_count(grid, r + dr, c + dc, seen) for dr, dc in ((1, 0), (-1, 0), (0, 1), (0, -1)))

def main():
    perms = permutations([1, 2, 3])
    print("perms of [1,2,3]:", perms)
    print("count perms of 6:", len(permutations(list(range(6)))))
    print("string perms:", ["".join(p) for p in permutations(list("abc"))])
    print("subsets:", sorted(subsets([1, 2, 3]), key=lambda s: (len(s), s)))
    print("parens(3):", parens(3))
    print("catalan numbers:", [len(parens(i)) for i in range(1, 8)])
    sols = n_queens(6)
    print("6-queens solutions:", len(sols), sols)
    first = n_queens(8)[0]
    for c in first:
        print("".join("Q" if i == c else "." for i in range(8)))
    grid = ["##..#", "#..##", "...#.", "##..."]
    seen, sizes = set(), []
    for r in range(len(grid)):
        for c in range(len(grid[0])):
            size = flood_count(grid, r, c, seen)
            if size:
                sizes.append(size)
    print("island sizes:", sizes)

if __name__ == "__main__":
    main()
