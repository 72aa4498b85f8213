/// Minimises a smooth function of a few unconstrained variables: BFGS with central-difference gradients
/// and a backtracking line search.
///
/// The models' parameters are positive; they are fitted on their logarithms, so the search is unconstrained
/// and steps are relative. Convergence is declared when the gradient is flat (relative to the function's
/// size) or the function stops improving; `converged` is false when the iteration limit stopped it.
public struct Minimizer: Sendable {
    public var maxIterations = 500
    public var gradientTolerance = 1e-7
    public var functionTolerance = 1e-13
    /// The longest step in any one variable (the parameters' logarithms: a factor of e² per step at most).
    public var maxStep = 2.0
    /// Points outside ±`bound` in any variable are refused (their function value is taken as infinite).
    public var bound = 25.0

    public init() {}

    public struct Result: Sendable, Equatable {
        public var point: [Double]
        public var value: Double
        public var iterations: Int
        public var evaluations: Int
        public var converged: Bool
    }

    /// Minimises `f` from `start`; `exactGradient`, when given, is `f`'s gradient (the same function's, at points
    /// where `f` is finite), used instead of central differences: one evaluation instead of two per variable.
    public func minimize(
        _ f: ([Double]) -> Double, exactGradient: (([Double]) -> [Double])? = nil, from start: [Double]
    ) -> Result {
        let n = start.count
        var evaluations = 0
        func value(_ x: [Double]) -> Double {
            evaluations += 1
            guard x.allSatisfy({ abs($0) <= bound }) else { return .infinity }
            let v = f(x)
            return v.isFinite ? v : .infinity
        }
        func gradient(_ x: [Double]) -> [Double] {
            if let exactGradient {
                evaluations += 1
                let g = exactGradient(x)
                if g.allSatisfy(\.isFinite) { return g }
            }
            return (0..<n).map { i in
                let h = 1e-5 * max(1, abs(x[i]))
                var up = x
                var down = x
                up[i] += h
                down[i] -= h
                return (value(up) - value(down)) / (2 * h)
            }
        }
        var x = start
        var fx = value(x)
        var g = gradient(x)
        var inverse = identity(n)
        for iteration in 1...maxIterations {
            if infinityNorm(g) <= gradientTolerance * max(1, abs(fx)) {
                return Result(point: x, value: fx, iterations: iteration - 1, evaluations: evaluations, converged: true)
            }
            var direction = multiply(inverse, g).map { -$0 }
            var slope = dot(direction, g)
            if slope >= 0 {
                // Not a descent direction: start again from steepest descent.
                inverse = identity(n)
                direction = g.map { -$0 }
                slope = dot(direction, g)
            }
            // Backtracking: the largest step of 1, 1/2, 1/4… (no longer than maxStep) that lowers f enough (Armijo).
            let longest = infinityNorm(direction)
            var step = longest > maxStep ? maxStep / longest : 1.0
            var next = x
            var fNext = Double.infinity
            while step > 1e-12 {
                next = zip(x, direction).map { $0 + step * $1 }
                fNext = value(next)
                if fNext <= fx + 1e-4 * step * slope { break }
                step /= 2
            }
            guard fNext < fx else {
                return Result(point: x, value: fx, iterations: iteration, evaluations: evaluations, converged: true)
            }
            let gNext = gradient(next)
            let s = zip(next, x).map { $0 - $1 }
            let y = zip(gNext, g).map { $0 - $1 }
            let sy = dot(s, y)
            let improvement = fx - fNext
            x = next
            g = gNext
            let previous = fx
            fx = fNext
            if improvement <= functionTolerance * max(1, abs(previous)),
                infinityNorm(g) <= 1e3 * gradientTolerance * max(1, abs(fx))
            {
                return Result(point: x, value: fx, iterations: iteration, evaluations: evaluations, converged: true)
            }
            if sy > 1e-12 {
                // The BFGS update of the inverse Hessian.
                let hy = multiply(inverse, y)
                let yhy = dot(y, hy)
                for i in 0..<n {
                    for j in 0..<n {
                        inverse[i][j] += (sy + yhy) * s[i] * s[j] / (sy * sy) - (hy[i] * s[j] + s[i] * hy[j]) / sy
                    }
                }
            }
        }
        return Result(point: x, value: fx, iterations: maxIterations, evaluations: evaluations, converged: false)
    }

    private func identity(_ n: Int) -> [[Double]] {
        (0..<n).map { i in (0..<n).map { $0 == i ? 1 : 0 } }
    }

    private func multiply(_ m: [[Double]], _ v: [Double]) -> [Double] {
        m.map { dot($0, v) }
    }

    private func dot(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
    }

    private func infinityNorm(_ v: [Double]) -> Double {
        v.reduce(0) { max($0, abs($1)) }
    }
}
