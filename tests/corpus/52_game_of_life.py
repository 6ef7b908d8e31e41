"""Conway's Game of Life on a small bounded grid plus a set-based infinite version."""
from collections import Counter


def step(grid):
    rows, cols = len(grid), len(grid[0])
    new = [[0] * cols for _ in range(rows)]
    for r in range(rows):
        for c in range(cols):
            n = sum(grid[(r + dr)][(c + dc)]
                    for dr in (-1, 0, 1) for dc in (-1, 0, 1)
                    if (dr or dc) and 0 <= r + dr < rows and 0 <= c + dc < cols)
            new[r][c] = 1 if n == 3 or (grid[r][c] and n == 2) else 0
    return new


def step_set(live):
    counts = Counter((x + dx, y + dy) for x, y in live
                     for dx in (-1, 0, 1) for dy in (-1, 0, 1) if dx or dy)
    return {cell for cell, n in counts.items() if n == 3 or (n == 2 and cell in live)}


def render(grid):
    return "\n".join("".join("#" if v else "." for v in row) for row in grid)


def main():
    grid = [[0] * 6 for _ in range(5)]
    for r, c in [(0, 1), (1, 2), (2, 0), (2, 1), (2, 2)]:
        grid[r][c] = 1
    for gen in range(3):
        print(f"generation {gen} (alive={sum(map(sum, grid))}):")
        print(render(grid))
        grid = step(grid)
    blinker = [[0, 0, 0], [1, 1, 1], [0, 0, 0]]
    print("blinker period 2:", step(step(blinker)) == blinker, step(blinker) != blinker)
    block = [[0] * 4, [0, 1, 1, 0], [0, 1, 1, 0], [0] * 4]
    print("block is still life:", step(block) == block)
    live = {(1, 0), (2, 1), (0, 2), (1, 2), (2, 2)}
    start = sorted(live)
    for _ in range(4):
        live = step_set(live)
    print("glider after 4 steps:", sorted(live))
    print("shifted by (1,1):", sorted((x - 1, y - 1) for x, y in live) == start)
    rpent = {(1, 0), (2, 0), (0, 1), (1, 1), (1, 2)}
    sizes = []
    for _ in range(30):
        rpent = step_set(rpent)
        sizes.append(len(rpent))
    print("r-pentomino population (30 gens):", sizes)


if __name__ == "__main__":
    main()
