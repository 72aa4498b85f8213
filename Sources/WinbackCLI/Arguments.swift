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

/// `trend --by`: the directions failures are counted in.
enum TrendDirection: String, ExpressibleByArgument, CaseIterable {
    case category, region, manager
    case abcClass = "class"

    var dimension: FailureDimension {
        switch self {
        case .category: return .category
        case .region: return .region
        case .manager: return .manager
        case .abcClass: return .class
        }
    }
}

/// The raw values of `cases`, and `more`, for a help text: "a, b or c".
func choices<T: RawRepresentable>(_ cases: [T], _ more: String...) -> String where T.RawValue == String {
    let names = cases.map(\.rawValue) + more
    return names.count > 1 ? names.dropLast().joined(separator: ", ") + " or " + names.last! : names.joined()
}
