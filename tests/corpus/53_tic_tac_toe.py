"""Tic-tac-toe: winner detection, board rendering, and a perfect minimax player."""
from functools import lru_cache

LINES = [(0, 1, 2), (3, 4, 5), (6, 7, 8), (0, 3, 6), (1, 4, 7), (2, 5, 8), (0, 4, 8), (2, 4, 6)]


def winner(board):
    for a, b, c in LINES:
        if board[a] != " " and board[a] == board[b] == board[c]:
            return board[a]
    return "draw" if " " not in board else None


def render(board):
    rows = [" | ".join(board[i:i + 3]) for i in (0, 3, 6)]
    return "\n---------\n".join(rows)


@lru_cache(maxsize=None)
def minimax(board, player):
    w = winner(board)
    if w == "X":
        return 1, None
    if w == "O":
        return -1, None
    if w == "draw":
        return 0, None
    best = None
    for i in range(9):
        if board[i] == " ":
            nb = board[:i] + player + board[i + 1:]
            score, _ = minimax(nb, "O" if player == "X" else "X")
            if best is None or (player == "X" and score > best[0]) or (player == "O" and score < best[0]):
                best = (score, i)
    return best


def main():
    tests = {
        "row win": "XXXOO    ",
        "col win": "OX OX  XO",
        "diag win": "X O XO  X",
        "draw": "XOXXOOOXX",
        "in progress": "X O  O X ",
    }
    for name, b in tests.items():
        print(f"{name:<12} -> {winner(b)}")
    print(render(tests["diag win"]))
    board, player = " " * 9, "X"
    moves = []
    while winner(board) is None:
        _, move = minimax(board, player)
        board = board[:move] + player + board[move + 1:]
        moves.append(move)
        player = "O" if player == "X" else "X"
    print("perfect play moves:", moves)
    print(render(board))
    print("result:", winner(board))
    print("X to move wins from:", repr("XX OO    "), "->", minimax("XX OO    ", "X"))
    print("positions evaluated:", minimax.cache_info().currsize)


if __name__ == "__main__":
    main()
