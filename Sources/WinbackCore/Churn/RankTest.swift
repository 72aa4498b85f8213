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
        var table = [[Double]](repeating: [Double](repeating: 0, count: m * n + 1), count: n + 1)
        for j in 0...n { table[j][0] = 1 }
        for _ in 1...m {
            var next = [[Double]](repeating: [Double](repeating: 0, count: m * n + 1), count: n + 1)
            for j in 0...n {
                for k in 0...(m * n) {
                    var count = k >= j ? table[j][k - j] : 0
                    if j > 0 { count += next[j - 1][k] }
                    next[j][k] = count
                }
            }
            table = next
        }
        let counts = table[n]
        let total = counts.reduce(0, +)
        let tail = counts[0...min(u, m * n)].reduce(0, +)
        return tail / total
    }
}
