/// The Mann–Whitney rank test, exact for the small samples a client's orders give.
public enum RankTest {
    /// The chance that `sample.count` values drawn from the same distribution as `reference` rank at most as high
    /// among them as `sample` does: the lower tail of the Mann–Whitney U statistic (pairs in which the sample's value
    /// is the larger; ties count half, and the tail is taken at the next whole U, which errs toward "no evidence").
    public static func lowerTail(_ sample: [Double], below reference: [Double]) -> Double {
        let m = sample.count
        let n = reference.count
        guard m > 0, n > 0 else { return 1 }
        var pairs = 0.0
        for value in sample {
            for other in reference {
                if value > other { pairs += 1 } else if value == other { pairs += 0.5 }
            }
        }
        let u = Int(pairs.rounded(.up))
        let cumulative = m <= Tables.maxSample && n <= Tables.maxReference ? Tables.shared[m, n] : Self.cumulative(m, n)
        return cumulative[min(u, m * n)] / cumulative[m * n]
    }

    /// The running sums of the number of orderings of `m` sample values among `n` reference values with U = 0, 1, …,
    /// m·n: entry k is how many have U ≤ k, the last is C(m + n, m). Added from U = 0 up, as the tail is.
    static func cumulative(_ m: Int, _ n: Int) -> [Double] {
        // ways[j][k]: orderings of j sample values among the reference values with U = k, built one sample
        // value at a time over n + 1 positions; counted for all n reference values at once by the classic
        // recursion f(m, n, u) = f(m − 1, n, u − n) + f(m, n − 1, u).
        // Two flat tables of (n + 1) rows of m·n + 1 counts, swapped at each step.
        let width = m * n + 1
        var table = [Double](repeating: 0, count: (n + 1) * width)
        var next = table
        for j in 0...n { table[j * width] = 1 }
        for _ in 1...m {
            for j in 0...n {
                for k in 0..<width {
                    var count = k >= j ? table[j * width + k - j] : 0
                    if j > 0 { count += next[(j - 1) * width + k] }
                    next[j * width + k] = count
                }
            }
            swap(&table, &next)
        }
        var sums = [Double](repeating: 0, count: width)
        var sum = 0.0
        for k in 0..<width {
            sum += table[n * width + k]
            sums[k] = sum
        }
        return sums
    }

    /// The running sums for every sample of up to ``maxSample`` values against up to ``maxReference``: what a scan
    /// asks for with its default settings (the last 2 to 8 orders against up to 24 before them), worked out once.
    /// A scan asked for them tens of thousands of times a day, each time from scratch: a sixth of judging a book.
    private struct Tables: Sendable {
        static let maxSample = 8
        static let maxReference = 24
        static let shared = Tables()
        private let sums: [[Double]]

        private init() {
            var sums: [[Double]] = []
            for m in 1...Self.maxSample {
                for n in 1...Self.maxReference { sums.append(RankTest.cumulative(m, n)) }
            }
            self.sums = sums
        }

        subscript(m: Int, n: Int) -> [Double] { sums[(m - 1) * Self.maxReference + (n - 1)] }
    }
}
