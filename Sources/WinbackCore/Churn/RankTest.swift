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
        // ways[j][k]: orderings of j sample values among the reference values with U = k, built one sample
        // value at a time over n + 1 positions; counted for all n reference values at once by the classic
        // recursion f(m, n, u) = f(m − 1, n, u − n) + f(m, n − 1, u).
        // Two flat tables of (n + 1) rows of m·n + 1 counts, swapped at each step: the same sums in the same order
        // as a table of rows, without allocating one per row and step (a scan runs this for tens of thousands of
        // clients).
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
        let counts = table[(n * width)..<((n + 1) * width)]
        let total = counts.reduce(0, +)
        let tail = counts[(n * width)...(n * width + min(u, m * n))].reduce(0, +)
        return tail / total
    }
}
