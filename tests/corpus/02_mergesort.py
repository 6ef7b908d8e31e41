"""Merge sort (top-down and bottom-up) with inversion counting."""

def merge(left, right):
    out = []
    i = j = 0
    while i < len(left) and j < len(right):
        if left[i] <= right[j]:
            out.append(left[i])
            i += 1
        else:
            out.append(right[j])
            j += 1
    out.extend(left[i:])
    out.extend(right[j:])
    return out

def merge_sort(items):
    if len(items) <= 1:
        return list(items)
    mid = len(items) // 2
    return merge(merge_sort(items[:mid]), merge_sort(items[mid:]))

def merge_sort_bottom_up(items):
    arr = list(items)
    width = 1
    while width < len(arr):
        for start in range(0, len(arr), 2 * width):
            left = arr[start:start + width]
            right = arr[start + width:start + 2 * width]
            arr[start:start + 2 * width] = merge(left, right)
        width *= 2
    return arr

def count_inversions(items):
    if len(items) <= 1:
        return list(items), 0
    mid = len(items) // 2
    left, a = count_inversions(items[:mid])
    right, b = count_inversions(items[mid:])
    merged, inv = [], a + b
    i = j = 0
    while i < len(left) and j < len(right):
        if left[i] <= right[j]:
            merged.append(left[i])
            i += 1
        else:
            merged.append(right[j])
            inv += len(left) - i
            j += 1
    merged += left[i:] + right[j:]
    return merged, inv

def main():
    data = [38, 27, 43, 3, 9, 82, 10]
    print("top-down: ", merge_sort(data))
    print("bottom-up:", merge_sort_bottom_up(data))
    for seq in ([1, 2, 3, 4], [4, 3, 2, 1], [2, 4, 1, 3, 5], [1, 20, 6, 4, 5]):
        _, inv = count_inversions(seq)
        print(f"inversions in {seq}: {inv}")
    records = [("bob", 3), ("amy", 1), ("cat", 3), ("dan", 2), ("eve", 1)]
    keyed = [(score, i, name) for i, (name, score) in enumerate(records)]
    stable = [(name, score) for score, _, name in merge_sort(keyed)]
    print("stable by score:", stable)
    words = "the quick brown fox jumps over the lazy dog".split()
    print("words:", merge_sort(words))

if __name__ == "__main__":
    main()
