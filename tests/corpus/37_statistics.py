"""statistics module: mean, median, mode, stdev, pstdev, variance, quantiles."""
import statistics as st

SCORES = [88, 92, 79, 93, 85, 92, 70, 64, 99, 85, 92, 77]
HEIGHTS = [1.62, 1.75, 1.80, 1.68, 1.71, 1.59, 1.90]


def manual_stdev(data, sample=True):
    m = sum(data) / len(data)
    ss = sum((x - m) ** 2 for x in data)
    return (ss / (len(data) - (1 if sample else 0))) ** 0.5


def main():
    print("scores:", SCORES)
    print("mean:", round(st.mean(SCORES), 6))
    print("fmean:", round(st.fmean(SCORES), 6))
    print("median:", st.median(SCORES), "low:", st.median_low(SCORES), "high:", st.median_high(SCORES))
    print("mode:", st.mode(SCORES), "multimode:", st.multimode([1, 1, 2, 2, 3]))
    print("stdev:", round(st.stdev(SCORES), 6), "manual:", round(manual_stdev(SCORES), 6))
    print("pstdev:", round(st.pstdev(SCORES), 6), "manual:", round(manual_stdev(SCORES, False), 6))
    print("variance:", round(st.variance(SCORES), 6), "pvariance:", round(st.pvariance(SCORES), 6))
    print("quartiles:", [round(q, 4) for q in st.quantiles(SCORES, n=4)])
    print("deciles:", [round(q, 2) for q in st.quantiles(range(1, 101), n=10)])
    print("heights mean:", round(st.mean(HEIGHTS), 4), "median:", st.median(HEIGHTS))
    print("harmonic mean:", round(st.harmonic_mean([40, 60]), 6))
    print("geometric mean:", round(st.geometric_mean([1, 10, 100]), 6))
    m, s = st.mean(SCORES), st.stdev(SCORES)
    z = [round((x - m) / s, 3) for x in SCORES[:5]]
    print("z-scores:", z)
    print("exact int mean:", st.mean([1, 2, 3, 4]), type(st.mean([1, 2, 3, 4])).__name__)
    from fractions import Fraction
    print("fraction mean:", st.mean([Fraction(1, 3), Fraction(1, 6)]))
    try:
        st.mean([])
    except st.StatisticsError as e:
        print("StatisticsError raised for empty data")
    xs, ys = [1, 2, 3, 4, 5], [2, 4, 5, 4, 5]
    slope, intercept = st.linear_regression(xs, ys)
    print("regression:", round(slope, 6), round(intercept, 6))
    print("correlation:", round(st.correlation(xs, ys), 6))


if __name__ == "__main__":
    main()
