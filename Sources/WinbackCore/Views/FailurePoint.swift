/// Failure counts of one direction on one scan day.
public struct FailurePoint: Sendable, Equatable {
    public var asOf: Day
    public var direction: String
    public var counts: FailureCounts

    public init(
        asOf: Day, direction: String, counts: FailureCounts
    ) {
        self.asOf = asOf
        self.direction = direction
        self.counts = counts
    }
}
