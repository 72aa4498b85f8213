import Foundation
import WinbackCore

/// `winback model fit`: the fitted parameters as a sentence, a JSON object or a CSV row.
public enum ModelFitOutput {
    public static func render(_ fit: BetaGeometricModel.Fit, asOf day: Day, seconds: Double, format: OutputFormat)
        -> String
    {
        var out = ""
        func say(_ line: String) { out += line + "\n" }
        let m = fit.model
        switch format {
        case .json:
            let object = JSONObject([
                ("model", .string(m.variant.rawValue)), ("r", .number(m.r)), ("alpha", .number(m.alpha)),
                ("a", .number(m.a)), ("b", .number(m.b)), ("log_likelihood", .number(fit.logLikelihood)),
                ("time_unit", .string("day")), ("clients", .integer(Int64(fit.clients))),
                ("converged", .bool(fit.converged)),
                ("iterations", .integer(Int64(fit.iterations))), ("as_of", .string(day.iso)),
                ("fit_seconds", .number((seconds * 1000).rounded() / 1000)),
            ])
            say(object.text)
        case .csv:
            var table = Listing(columns: [
                .init(key: "model", header: "model"), .init(key: "r", header: "r"),
                .init(key: "alpha", header: "alpha"),
                .init(key: "a", header: "a"), .init(key: "b", header: "b"),
                .init(key: "log_likelihood", header: "log-likelihood"), .init(key: "time_unit", header: "time unit"),
                .init(key: "clients", header: "clients"), .init(key: "converged", header: "converged"),
                .init(key: "iterations", header: "iterations"), .init(key: "as_of", header: "as of"),
            ])
            func number(_ value: Double) -> Listing.Cell { .number(value.isFinite ? "\(value)" : nil) }
            table.append([
                .text(m.variant.rawValue), number(m.r), number(m.alpha), number(m.a), number(m.b),
                number(fit.logLikelihood),
                .text("day"), .integer(fit.clients), .text(fit.converged ? "true" : "false"), .integer(fit.iterations),
                .date(day),
            ])
            out += table.render(.csv)
        case .table:
            say(
                "\(m.variant.rawValue) as of \(day.iso), \(fit.clients) clients, \(fit.converged ? "converged" : "NOT converged") in \(fit.iterations) iterations (\(String(format: "%.2f", seconds)) s)"
            )
            say("  r = \(fixed(m.r, 4)), alpha = \(fixed(m.alpha, 3)) days, a = \(fixed(m.a, 4)), b = \(fixed(m.b, 4))")
            say("  log-likelihood \(fixed(fit.logLikelihood, 2))")
        }
        return out
    }
}

/// `winback backtest`: a replayed day, or every month end of a period, as tables with a few lines around them.
public enum BacktestOutput {
    /// One day: each criterion's flags, winback against "silent N days", and other `at_risk_probability` limits;
    /// `target` is the false-alarm rate in percent to suggest a limit for.
    public static func day(_ report: Backtest.Replay, target: Double, format: OutputFormat) -> String {
        var out = ""
        func say(_ line: String) { out += line + "\n" }
        var table = Listing(columns: [
            .init(key: "criterion", header: "criterion"), .init(key: "flagged", header: "flagged"),
            .init(key: "silent_in_horizon", header: "then silent"), .init(key: "precision", header: "precision"),
            .init(key: "recall", header: "recall"), .init(key: "came_back", header: "came back"),
            .init(key: "as_of", header: "as of"), .init(key: "horizon_days", header: "horizon"),
            .init(key: "active_clients", header: "active"), .init(key: "silent_clients", header: "silent"),
        ])
        for row in report.rows {
            table.append([
                .text(row.name), .integer(row.flagged), .integer(row.correct),
                .number(row.precision.map { fixed($0, 3) }), .number(row.recall.map { fixed($0, 3) }),
                .integer(row.cameBack), .date(report.asOf), .integer(report.horizonDays),
                .integer(report.activeClients),
                .integer(report.silentClients),
            ])
        }
        if format == .table {
            say("As of \(report.asOf.iso): \(report.activeClients) clients had bought in the year before;")
            say("\(report.silentClients) of them bought nothing in the next \(report.horizonDays) days.")
            out += table.dropping(["as_of", "horizon_days", "active_clients", "silent_clients"]).render(.table)
            let c = report.comparison
            func pct(_ value: Double) -> String { fixed(value * 100, 1) + " %" }
            say("")
            say("winback's silence verdicts against \"silent N days\", N the shortest silence")
            say("with no more false alarms (false alarms: flagged among the clients that bought")
            say("again; a decline flags clients that still buy and is left out of both):")
            say(
                "  winback          false alarms \(pct(c.winback.falseAlarms).leftPadded(to: 7, with: " "))  found \(pct(c.winback.recall))"
            )
            if let days = c.ruleDays, let rule = c.rule {
                say(
                    "  silent \(String(days).leftPadded(to: 3, with: " ")) days  false alarms \(pct(rule.falseAlarms).leftPadded(to: 7, with: " "))"
                        + "  found \(pct(rule.recall))")
            } else {
                say("  no \"silent N days\" rule keeps false alarms that low")
            }
            say("")
            say("At other [criteria.overdue] at_risk_probability limits:")
            for limit in report.limits {
                say(
                    "  \(String(format: "%-8g", limit.atRiskProbability))  false alarms \(pct(limit.rates.falseAlarms).leftPadded(to: 7, with: " "))"
                        + "  recall \(pct(limit.rates.recall).leftPadded(to: 7, with: " "))")
            }
            if let best = report.limits.first(where: { $0.rates.falseAlarms * 100 <= target }) {
                say(
                    "To keep false alarms under \(fixed(target, 1)) % here: at_risk_probability = \(best.atRiskProbability) or lower."
                )
            }
        } else {
            out += table.render(format)
        }
        return out
    }

    /// Every month end of a period, and one rule tuned over all of them.
    public static func period(_ period: Backtest.Period, format: OutputFormat) -> String {
        var out = ""
        func say(_ line: String) { out += line + "\n" }
        let rule = period.ruleDays.map { "silent \($0) days" } ?? "silent N days"
        var table = Listing(columns: [
            .init(key: "as_of", header: "month end"), .init(key: "active_clients", header: "active"),
            .init(key: "false_alarms", header: "false alarms"), .init(key: "found", header: "found"),
            .init(key: "rule_false_alarms", header: "rule false"), .init(key: "rule_found", header: "rule found"),
            .init(key: "rule_days", header: "rule days"), .init(key: "silent_clients", header: "silent"),
            .init(key: "horizon_days", header: "horizon"),
        ])
        func pct(_ value: Double) -> String { fixed(value * 100, 1) + " %" }
        // A person reads percentages; scripts and spreadsheets get the fraction.
        func rate(_ value: Double) -> String { format == .table ? pct(value) : fixed(value, 4) }
        for (report, ruleRates) in zip(period.days, period.ruleByDay) {
            let c = report.comparison
            table.append([
                .date(report.asOf), .integer(report.activeClients), .number(rate(c.winback.falseAlarms)),
                .number(rate(c.winback.recall)), .number(period.ruleDays.map { _ in rate(ruleRates.falseAlarms) }),
                .number(period.ruleDays.map { _ in rate(ruleRates.recall) }), .integer(period.ruleDays ?? 0),
                .integer(report.silentClients), .integer(report.horizonDays),
            ])
        }
        guard format == .table else { return table.render(format) }
        say(
            "Every month end from \(period.days.first!.asOf.iso) to \(period.days.last!.asOf.iso), horizon \(period.days.first!.horizonDays) days."
        )
        say("winback's silence verdicts against \"\(rule)\": the shortest silence")
        say("with no more false alarms over all these days. False alarms: flagged among the")
        say("clients that bought again; found: flagged among those that bought nothing.")
        out += table.dropping(["rule_days", "silent_clients", "horizon_days"]).render(.table)
        say("")
        say("Over all these days:")
        func line(_ name: String, _ rates: Backtest.Rates) -> String {
            "  " + name + String(repeating: " ", count: max(1, 18 - name.count))
                + "false alarms \(pct(rates.falseAlarms).leftPadded(to: 7, with: " "))  found \(pct(rates.recall))"
        }
        say(line("winback", period.winback))
        if let ruleRates = period.rule {
            say(line(rule, ruleRates))
        } else {
            say("No \"silent N days\" rule keeps false alarms that low.")
        }
        let worst = period.days.max { $0.comparison.winback.falseAlarms < $1.comparison.winback.falseAlarms }!
        say("Worst day for winback: \(worst.asOf.iso), \(pct(worst.comparison.winback.falseAlarms)) false alarms.")
        return out
    }
}
