"""Priority queues with heapq: task scheduler, Dijkstra, k-way merge, median."""
import heapq
import itertools


class PriorityQueue:
    def __init__(self):
        self._heap, self._counter = [], itertools.count()

    def push(self, item, priority):
        heapq.heappush(self._heap, (priority, next(self._counter), item))

    def pop(self):
        priority, _, item = heapq.heappop(self._heap)
        return item, priority

    def __len__(self):
        return len(self._heap)


def dijkstra(graph, start):
    dist = {start: 0}
    heap = [(0, start)]
    while heap:
        d, node = heapq.heappop(heap)
        if d > dist.get(node, float("inf")):
            continue
        for nxt, w in graph[node]:
            nd = d + w
            if nd < dist.get(nxt, float("inf")):
                dist[nxt] = nd
                heapq.heappush(heap, (nd, nxt))
    return dict(sorted(dist.items()))


def running_median(stream):
    low, high, out = [], [], []
    for x in stream:
        heapq.heappush(low, -x)
        heapq.heappush(high, -heapq.heappop(low))
        if len(high) > len(low):
            heapq.heappush(low, -heapq.heappop(high))
        out.append(-low[0] if len(low) > len(high) else (-low[0] + high[0]) / 2)
    return out


def main():
    pq = PriorityQueue()
    for task, pr in [("write", 3), ("test", 2), ("deploy", 5), ("plan", 1), ("review", 2)]:
        pq.push(task, pr)
    print("order:", [pq.pop() for _ in range(len(pq))])
    graph = {
        "A": [("B", 4), ("C", 2)], "B": [("C", 5), ("D", 10)],
        "C": [("E", 3)], "D": [("F", 11)], "E": [("D", 4)], "F": [],
    }
    print("dijkstra:", dijkstra(graph, "A"))
    lists = [[1, 5, 9], [2, 6, 10], [0, 3, 4, 8]]
    print("k-way merge:", list(heapq.merge(*lists)))
    print("merge reverse:", list(heapq.merge([9, 5, 1], [8, 2], reverse=True)))
    print("running median:", running_median([5, 15, 1, 3, 2, 8, 7]))
    words = ["kiwi", "banana", "fig", "watermelon", "apple", "plum"]
    print("3 longest:", heapq.nlargest(3, words, key=len))
    print("2 shortest:", heapq.nsmallest(2, words, key=len))
    events = [(10, "close"), (1, "open"), (5, "lunch")]
    heapq.heapify(events)
    print("events:", [heapq.heappop(events)[1] for _ in range(3)])


if __name__ == "__main__":
    main()
