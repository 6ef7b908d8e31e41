"""Async producer/consumer with a queue, gather and a timeout."""
import asyncio


async def worker(name, delay):
    await asyncio.sleep(delay)
    return f"{name} finished after {delay:.2f}s"


async def producer(queue, count):
    for item in range(count):
        await queue.put(item * item)
    await queue.put(None)


async def consumer(queue):
    total = 0
    seen = []
    while True:
        item = await queue.get()
        if item is None:
            break
        seen.append(item)
        total += item
    return seen, total


async def main():
    queue = asyncio.Queue()
    results = await asyncio.gather(
        worker("fast", 0.01),
        worker("slow", 0.03),
        producer(queue, 5),
        consumer(queue),
    )
    print(results[0])
    print(results[1])
    print("consumed:", results[3][0], "total:", results[3][1])
    try:
        await asyncio.wait_for(asyncio.sleep(5), timeout=0.02)
    except asyncio.TimeoutError:
        print("wait_for timed out as expected")
    task = asyncio.create_task(worker("background", 0.01))
    print("task done before await:", task.done())
    print(await task)


if __name__ == "__main__":
    asyncio.run(main())
