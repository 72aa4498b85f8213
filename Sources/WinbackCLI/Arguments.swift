import ArgumentParser
import WinbackCore
import WinbackReports
import WinbackSimulation

// Option values parsed by type: a wrong value is refused by the parser with the option's name, and the help lists
// the values that exist instead of a hand-written list.

extension Day: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(iso: argument)
    }

    public var defaultValueDescription: String { iso }
}

extension BetaGeometricModel.Variant: ExpressibleByArgument {}
extension SalesCSVFormat: ExpressibleByArgument {}

/// `trend --by`: the directions failures are counted in (`all` is what leaving the option out means).
extension FailureDimension: ExpressibleByArgument {
    public init?(argument: String) {
        guard argument != FailureDimension.all.rawValue else { return nil }
        self.init(rawValue: argument)
    }

    public static var allValueStrings: [String] { allCases.filter { $0 != .all }.map(\.rawValue) }
}

/// The raw values of `cases`, and `more`, for a help text: "a, b or c".
func choices<T: RawRepresentable>(_ cases: [T], _ more: String...) -> String where T.RawValue == String {
    let names = cases.map(\.rawValue) + more
    return names.count > 1 ? names.dropLast().joined(separator: ", ") + " or " + names.last! : names.joined()
}
