import Foundation
import Testing
import WinbackCore
import WinbackStore

/// The BG/NBD paper's own table, reproduced from its data through winback's import and aggregates.
@Suite("BG/NBD on the CDNOW sample")
struct CDNOWTests {
    /// The sample as a sales export: one line per transaction, dated, with its dollars.
    static func salesCSV() throws -> String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/CDNOW_sample.txt")
        let text = try String(contentsOf: url, encoding: .utf8)
        var rows = ["date,client_id,document,amount,quantity"]
        for (index, line) in text.split(whereSeparator: \.isNewline).enumerated() {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\r" })
            guard fields.count == 5 else { continue }
            rows.append("\(fields[2]),\(fields[1]),T\(index + 1),\(fields[4]),\(fields[3])")
        }
        return rows.joined(separator: "\n") + "\n"
    }

    /// Repeat-purchase summaries in weeks, as in the paper: calibration through 1997-09-30.
    static func summaries() throws -> [RepeatSummary] {
        let fixture = try ScanFixture()
        try fixture.load("cdnow.csv", try salesCSV())
        try fixture.database.aggregateNewSales()
        let end = Day(iso: "1997-09-30")!
        var out: [RepeatSummary] = []
        try fixture.database.forEachHistory(asOf: end) { _, history in
            let days = history.days.filter(\.isPurchase).map(\.day)
            if let summary = RepeatSummary(purchaseDays: days, asOf: end) {
                out.append(RepeatSummary(x: summary.x, tx: summary.tx / 7, T: summary.T / 7))
            }
        }
        return out
    }

    @Test("the fit reproduces r = 0.243, alpha = 4.414 weeks, a = 0.793, b = 2.426, LL = -9582.4")
    func paperTable() throws {
        let data = try Self.summaries()
        #expect(data.count == 2357)
        let paper = BetaGeometricModel(variant: .bgnbd, r: 0.243, alpha: 4.414, a: 0.793, b: 2.426)
        print("LL at the paper's parameters: \(paper.logLikelihood(data))")
        let fit = BetaGeometricModel.fit(data, variant: .bgnbd)
        print("CDNOW BG/NBD: \(fit)")
        #expect(fit.converged)
        func threeDigits(_ value: Double) -> Double {
            let magnitude = pow(10, floor(log10(abs(value))) - 2)
            return (value / magnitude).rounded() * magnitude
        }
        #expect(threeDigits(fit.model.r) == 0.243)
        #expect(threeDigits(fit.model.alpha) == 4.41)
        #expect(threeDigits(fit.model.a) == 0.793)
        #expect(threeDigits(fit.model.b) == 2.43)
        #expect((fit.logLikelihood * 10).rounded() / 10 == -9582.4)
    }
}
