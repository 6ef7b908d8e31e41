"""Quick sort example: sorts a fixed list and prints the result."""


def quick_sort(items):
    if len(items) <= 1:
        return items
    pivot, *rest = items
    smaller = [x for x in rest if x < pivot]
    larger = [x for x in rest if x >= pivot]
    return quick_sort(smaller) + [pivot] + quick_sort(larger)


def main():
    data = [33, 10, 59, 26, 41, 58, 3, 12, 97, 8]
    print("unsorted:", data)
    print("sorted:  ", quick_sort(data))


if __name__ == "__main__":
    main()
