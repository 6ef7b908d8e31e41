"""Insertion sort, selection sort and bubble sort with operation counts."""


def insertion_sort(items):
    arr = list(items)
    shifts = 0
    for i in range(1, len(arr)):
        key = arr[i]
        j = i - 1
        while j >= 0 and arr[j] > key:
            arr[j + 1] = arr[j]
            j -= 1
            shifts += 1
        arr[j + 1] = key
    return arr, shifts


def selection_sort(items):
    arr = list(items)
    swaps = 0
    for i in range(len(arr)):
        m = min(range(i, len(arr)), key=arr.__getitem__)
        if m != i:
            arr[i], arr[m] = arr[m], arr[i]
            swaps += 1
    return arr, swaps


def bubble_sort(items):
    arr = list(items)
    passes = 0
    for n in range(len(arr) - 1, 0, -1):
        passes += 1
        swapped = False
        for i in range(n):
            if arr[i] > arr[i + 1]:
                arr[i], arr[i + 1] = arr[i + 1], arr[i]
                swapped = True
        if not swapped:
            break
    return arr, passes


def main():
    cases = {
        "random": [29, 10, 14, 37, 13, 5, 88, 1],
        "sorted": [1, 2, 3, 4, 5, 6],
        "reversed": [6, 5, 4, 3, 2, 1],
        "dupes": [3, 1, 3, 1, 2, 2],
    }
    for name, data in cases.items():
        a, shifts = insertion_sort(data)
        b, swaps = selection_sort(data)
        c, passes = bubble_sort(data)
        print(f"{name:>8}: {a}")
        print(f"{'':>8}  shifts={shifts} swaps={swaps} passes={passes} agree={a == b == c}")
    names = ["Zoe", "adam", "Bob", "carla"]
    print(sorted(names, key=str.lower))
    print(insertion_sort([n.lower() for n in names])[0])


if __name__ == "__main__":
    main()
