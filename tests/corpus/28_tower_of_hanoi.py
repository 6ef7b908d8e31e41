"""Tower of Hanoi: recursive move list, iterative solver, and peg state simulation."""


def hanoi(n, src, dst, via, moves):
    if n == 0:
        return
    hanoi(n - 1, src, via, dst, moves)
    moves.append((n, src, dst))
    hanoi(n - 1, via, dst, src, moves)


def hanoi_iterative(n):
    pegs = {"A": list(range(n, 0, -1)), "B": [], "C": []}
    order = ["A", "B", "C"] if n % 2 == 0 else ["A", "C", "B"]
    moves = []
    total = 2 ** n - 1
    pairs = [(order[0], order[1]), (order[0], order[2]), (order[1], order[2])]
    for i in range(total):
        x, y = pairs[i % 3]
        if pegs[x] and (not pegs[y] or pegs[x][-1] < pegs[y][-1]):
            pegs[y].append(pegs[x].pop())
            moves.append((pegs[y][-1], x, y))
        else:
            pegs[x].append(pegs[y].pop())
            moves.append((pegs[x][-1], y, x))
    return moves, pegs


def simulate(n, moves):
    pegs = {"A": list(range(n, 0, -1)), "B": [], "C": []}
    for disk, src, dst in moves:
        assert pegs[src][-1] == disk
        assert not pegs[dst] or pegs[dst][-1] > disk
        pegs[dst].append(pegs[src].pop())
    return pegs


def main():
    moves = []
    hanoi(3, "A", "C", "B", moves)
    for i, (disk, s, d) in enumerate(moves, 1):
        print(f"{i}. move disk {disk} from {s} to {d}")
    print("final state:", simulate(3, moves))
    for n in range(1, 11):
        m = []
        hanoi(n, "A", "C", "B", m)
        assert len(m) == 2 ** n - 1
    print("move counts 1..10:", [2 ** n - 1 for n in range(1, 11)])
    im, pegs = hanoi_iterative(4)
    rm = []
    hanoi(4, "A", "C", "B", rm)
    print("iterative 4 disks:", len(im), "moves, final C:", pegs["C"])
    print("iterative == recursive:", im == rm)
    m = []
    hanoi(6, "A", "C", "B", m)
    disk_moves = {}
    for disk, _, _ in m:
        disk_moves[disk] = disk_moves.get(disk, 0) + 1
    print("moves per disk (6):", dict(sorted(disk_moves.items())))


if __name__ == "__main__":
    main()
