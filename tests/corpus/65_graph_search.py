"""Graph algorithms on adjacency lists: BFS, DFS, shortest path, topological sort."""
from collections import deque

GRAPH = {
    "A": ["B", "C"], "B": ["D", "E"], "C": ["F"], "D": [], "E": ["F"], "F": ["G"], "G": [],
}

def bfs(graph, start):
    seen, order, q = {start}, [], deque([start])
    while q:
        node = q.popleft()
        order.append(node)
        for nxt in graph[node]:
            if nxt not in seen:
                seen.add(nxt)
                q.append(nxt)
    return order

def dfs(graph, node, seen=None):
    seen = [] if seen is None else seen
    seen.append(node)
    for nxt in graph[node]:
        if nxt not in seen:
            dfs(graph, nxt, seen)
    return seen

def shortest_path(graph, start, goal):
    prev, q = {start: None}, deque([start])
    while q:
        node = q.popleft()
        if node == goal:
            path = []
            while node is not None:
                path.append(node)
                node = prev[node]
            return path[::-1]
        for nxt in graph[node]:
            if nxt not in prev:
                prev[nxt] = node
                q.append(nxt)
    return None

def topo_sort(graph):
    indeg = {n: 0 for n in graph}
    for n in graph:
        for m in graph[n]:
            indeg[m] += 1
    ready, order = sorted(n for n, d in indeg.items() if d == 0), []
    while ready:
        n = ready.pop(0)
        order.append(n)
        for m in graph[n]:
            indeg[m] -= 1
            if indeg[m] == 0:
                ready = sorted(ready + [m])
    return order

def main():
    print("BFS:", bfs(GRAPH, "A"), "DFS:", dfs(GRAPH, "A"))
    print("path A->G:", shortest_path(GRAPH, "A", "G"), "path D->A:", shortest_path(GRAPH, "D", "A"))
    print("topological order:", topo_sort(GRAPH))
    print("BFS from C:", bfs(GRAPH, "C"), "path B->G:", shortest_path(GRAPH, "B", "G"))
    reachable = {n: len(bfs(GRAPH, n)) - 1 for n in GRAPH}
    print("reachable counts:", reachable)
    reverse = {n: [m for m in GRAPH if n in GRAPH[m]] for n in GRAPH}
    print("predecessors:", reverse)
    print("reverse topo:", topo_sort(reverse))

if __name__ == "__main__":
    main()
