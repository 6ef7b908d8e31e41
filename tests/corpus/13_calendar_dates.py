"""Calendar-style computations: weekdays, ISO weeks, month grids, countdowns."""
import calendar
from datetime import date, timedelta


def nth_weekday(year, month, weekday, n):
    d = date(year, month, 1)
    offset = (weekday - d.weekday()) % 7
    return d + timedelta(days=offset + 7 * (n - 1))


def last_weekday(year, month, weekday):
    last = date(year, month, calendar.monthrange(year, month)[1])
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def month_grid(year, month):
    first_wd, ndays = calendar.monthrange(year, month)
    cells = ["  "] * first_wd + [f"{d:>2}" for d in range(1, ndays + 1)]
    rows = []
    for i in range(0, len(cells), 7):
        rows.append(" ".join(cells[i:i + 7]).rstrip())
    return rows


def main():
    print("Mo Tu We Th Fr Sa Su")
    for row in month_grid(2024, 2):
        print(row)
    print("Thanksgiving 2024:", nth_weekday(2024, 11, calendar.THURSDAY, 4))
    print("Memorial Day 2024:", last_weekday(2024, 5, calendar.MONDAY))
    print("2nd Sunday May 2025:", nth_weekday(2025, 5, calendar.SUNDAY, 2))
    for d in (date(2024, 1, 1), date(2020, 12, 31), date(2021, 1, 3)):
        iso = d.isocalendar()
        print(f"{d}: ISO year={iso[0]} week={iso[1]} weekday={iso[2]} name={calendar.day_name[d.weekday()]}")
    print("leap days 2000-2100:", calendar.leapdays(2000, 2100))
    ref = date(2024, 7, 1)
    events = {"launch": date(2024, 9, 15), "review": date(2024, 7, 20), "party": date(2024, 12, 31)}
    for name, when in sorted(events.items(), key=lambda kv: kv[1]):
        print(f"{name:<7} in {(when - ref).days:>3} days ({when:%a %d %B})")
    fridays13 = [date(2026, m, 13) for m in range(1, 13) if date(2026, m, 13).weekday() == 4]
    print("Friday 13ths in 2026:", [d.isoformat() for d in fridays13])
    print("month names:", [calendar.month_abbr[m] for m in range(1, 13)])


if __name__ == "__main__":
    main()
