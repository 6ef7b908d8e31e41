"""Heapsort written by hand, compared against heapq-based sorting."""
import heapq


def sift_down(arr, start, end):
    root = start
    while True:
        child = 2 * root + 1
        if child > end:
            break
        if child + 1 <= end and arr[child] < arr[child + 1]:
            child += 1
        if arr[root] < arr[child]:
            arr[root], arr[child] = arr[child], arr[root]
            root = child
        else:
            break


def heapsort(items):
    arr = list(items)
    n = len(arr)
    for start in range(n // 2 - 1, -1, -1):
        sift_down(arr, start, n - 1)
    for end in range(n - 1, 0, -1):
        arr[0], arr[end] = arr[end], arr[0]
        sift_down(arr, 0, end - 1)
    return arr


def heapq_sort(items):
    h = list(items)
    heapq.heapify(h)
    return [heapq.heappop(h) for _ in range(len(h))]


def main():
    data = [12, 11, 13, 5, 6, 7, 42, -1, 0, 13]
    print("data:      ", data)
    print("heapsort:  ", heapsort(data))
    print("heapq sort:", heapq_sort(data))
    print("3 largest: ", heapq.nlargest(3, data))
    print("3 smallest:", heapq.nsmallest(3, data))
    heap = []
    for x in [5, 1, 8, 3, 9, 2]:
        heapq.heappush(heap, x)
        print(f"push {x} -> min is {heap[0]}")
    print("pushpop 4:", heapq.heappushpop(heap, 4), "heap size", len(heap))
    print("replace 10:", heapq.heapreplace(heap, 10))
    print("drained:", [heapq.heappop(heap) for _ in range(len(heap))])
    merged = list(heapq.merge([1, 4, 9], [2, 3, 10], [0, 5]))
    print("merged:", merged)
    floats = [3.5, -2.25, 0.0, 1.125]
    print("floats:", heapsort(floats))


if __name__ == "__main__":
    main()
