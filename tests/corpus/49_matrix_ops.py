"""Matrix operations with plain lists: multiply, transpose, determinant, inverse, power."""
from fractions import Fraction

def matmul(a, b):
    return [[sum(x * y for x, y in zip(row, col)) for col in zip(*b)] for row in a]

def transpose(m):
    return [list(r) for r in zip(*m)]

def identity(n):
    return [[1 if i == j else 0 for j in range(n)] for i in range(n)]

def determinant(m):
    if len(m) == 1:
        return m[0][0]
    if len(m) == 2:
        return m[0][0] * m[1][1] - m[0][1] * m[1][0]
    return sum((-1) ** c * m[0][c] * determinant([row[:c] + row[c + 1:] for row in m[1:]]) for c in range(len(m)))

def inverse(m):
    n = len(m)
    aug = [[Fraction(v) for v in row] + [Fraction(int(i == j)) for j in range(n)] for i, row in enumerate(m)]
    for col in range(n):
        pivot = next(r for r in range(col, n) if aug[r][col] != 0)
        aug[col], aug[pivot] = aug[pivot], aug[col]
        pv = aug[col][col]
        aug[col] = [v / pv for v in aug[col]]
        for r in range(n):
            if r != col and aug[r][col] != 0:
                f = aug[r][col]
                aug[r] = [a - f * b for a, b in zip(aug[r], aug[col])]
    return [row[n:] for row in aug]

def matpow(m, k):
    result = identity(len(m))
    while k:
        if k & 1:
            result = matmul(result, m)
        m = matmul(m, m)
        k >>= 1
    return result

def show(title, m):
    print(title)
    for row in m:
        print("  [" + " ".join(f"{str(v):>6}" for v in row) + "]")

def main():
    a = [[1, 2, 3], [4, 5, 6]]
    b = [[7, 8], [9, 10], [11, 12]]
    show("A x B:", matmul(a, b))
    show("transpose A:", transpose(a))
    m = [[2, -1, 0], [-1, 2, -1], [0, -1, 2]]
    print("det M:", determinant(m), "det I4:", determinant(identity(4)))
    inv = inverse(m)
    show("inverse M:", inv)
    print("M x inv == I:", matmul(m, inv) == identity(3))
    show("fib matrix ^ 10:", matpow([[1, 1], [1, 0]], 10))
    print("elementwise sum:", [[x + y for x, y in zip(r1, r2)] for r1, r2 in zip(m, identity(3))])
    print("scalar x3:", [[3 * v for v in row] for row in a])
    print("trace M:", sum(m[i][i] for i in range(3)), "flatten:", [v for row in m for v in row])

if __name__ == "__main__":
    main()
