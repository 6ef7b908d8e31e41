"""Date arithmetic with fixed dates: differences, adding days, business days, ages."""
from datetime import date, datetime, timedelta


def add_months(d, months):
    m = d.month - 1 + months
    year, month = d.year + m // 12, m % 12 + 1
    days_in = [31, 29 if is_leap(year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return date(year, month, min(d.day, days_in[month - 1]))


def is_leap(y):
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)


def business_days(start, end):
    count, d = 0, start
    while d < end:
        if d.weekday() < 5:
            count += 1
        d += timedelta(days=1)
    return count


def age_on(birth, today):
    years = today.year - birth.year
    if (today.month, today.day) < (birth.month, birth.day):
        years -= 1
    return years


def main():
    start = date(2024, 1, 15)
    end = date(2024, 12, 25)
    print("start:", start, start.strftime("%A"))
    print("end:", end.isoformat(), end.strftime("%d %b %Y"))
    print("days between:", (end - start).days)
    print("start + 100 days:", start + timedelta(days=100))
    print("end - 6 weeks:", end - timedelta(weeks=6))
    print("business days:", business_days(start, end))
    for m in (1, 3, 13, -2):
        print(f"2024-01-31 + {m} months: {add_months(date(2024, 1, 31), m)}")
    print("leap years 1896-1912:", [y for y in range(1896, 1913) if is_leap(y)])
    print("age:", age_on(date(1990, 6, 15), date(2024, 6, 14)), age_on(date(1990, 6, 15), date(2024, 6, 15)))
    dt = datetime(2023, 3, 10, 14, 30, 0)
    later = dt + timedelta(hours=20, minutes=45, seconds=30)
    print("datetime:", dt, "->", later)
    diff = later - dt
    print("diff:", diff, "total seconds:", int(diff.total_seconds()))
    parsed = datetime.strptime("2021-07-04 09:15", "%Y-%m-%d %H:%M")
    print("parsed:", parsed.isoformat(), "day of year:", parsed.timetuple().tm_yday)
    print("fromisoformat:", date.fromisoformat("2000-02-29") + timedelta(days=365))
    print("ordinal:", date(2024, 3, 1).toordinal() - date(2024, 2, 1).toordinal())
    print("max(dates):", max([date(2020, 5, 1), date(2019, 12, 31), date(2020, 4, 30)]))


if __name__ == "__main__":
    main()
