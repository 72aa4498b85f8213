import ArgumentParser
import Foundation
import WinbackCore
import WinbackReports
import WinbackScan
import WinbackStore

/// `winback model`: the purchase models.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model", abstract: "The purchase models behind p_alive.", subcommands: [ModelFitCommand.self])
}

/// `winback model fit`: fits the BG/NBD on every client as of a day and prints its parameters.
struct ModelFitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit the BG/NBD model (Fader, Hardie & Lee 2005) on every client as of a day.",
        discussion: "Time is in days: alpha is in days. Use --variant mbgnbd for the model p_alive comes from.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("as-of"), help: ArgumentHelp("Fit on what was known that day.", valueName: "YYYY-MM-DD"))
    var asOf: Day?

    @Option(help: "The model: BG/NBD, or MBG/NBD (which lets a client drop out at its first purchase too).")
    var variant: BetaGeometricModel.Variant = .bgnbd

    @Option(help: "Output format: table, json or csv.")
    var format: OutputFormat = .table

    func run() throws {
        let (config, database) = try global.open()
        let model = variant
        let day = asOf ?? config.today()
        try database.aggregateNewSales()
        let data = try database.repeatSummaries(asOf: day)
        guard !data.isEmpty else { throw CommandFailure(reason: "no client had bought by \(day.iso): nothing to fit") }
        let started = Date()
        let fit = BetaGeometricModel.fit(data, variant: model)
        let seconds = Date().timeIntervalSince(started)
        let m = fit.model
        switch format {
        case .json:
            let object = JSONObject([
                ("model", .string(m.variant.rawValue)), ("r", .number(m.r)), ("alpha", .number(m.alpha)),
                ("a", .number(m.a)), ("b", .number(m.b)), ("log_likelihood", .number(fit.logLikelihood)),
                ("time_unit", .string("day")), ("clients", .integer(Int64(fit.clients))), ("converged", .bool(fit.converged)),
                ("iterations", .integer(Int64(fit.iterations))), ("as_of", .string(day.iso)),
                ("fit_seconds", .number((seconds * 1000).rounded() / 1000)),
            ])
            print(object.text)
        case .csv:
            var table = Report(columns: [
                .init(key: "model", header: "model"), .init(key: "r", header: "r"), .init(key: "alpha", header: "alpha"),
                .init(key: "a", header: "a"), .init(key: "b", header: "b"),
                .init(key: "log_likelihood", header: "log-likelihood"), .init(key: "time_unit", header: "time unit"),
                .init(key: "clients", header: "clients"), .init(key: "converged", header: "converged"),
                .init(key: "iterations", header: "iterations"), .init(key: "as_of", header: "as of"),
            ])
            func number(_ value: Double) -> Report.Cell { .number(value.isFinite ? "\(value)" : nil) }
            table.append([
                .text(m.variant.rawValue), number(m.r), number(m.alpha), number(m.a), number(m.b), number(fit.logLikelihood),
                .text("day"), .integer(fit.clients), .text(fit.converged ? "true" : "false"), .integer(fit.iterations),
                .date(day),
            ])
            print(table.render(.csv), terminator: "")
        case .table:
            print("\(m.variant.rawValue) as of \(day.iso), \(fit.clients) clients, \(fit.converged ? "converged" : "NOT converged") in \(fit.iterations) iterations (\(String(format: "%.2f", seconds)) s)")
            print("  r = \(fixed(m.r, 4)), alpha = \(fixed(m.alpha, 3)) days, a = \(fixed(m.a, 4)), b = \(fixed(m.b, 4))")
            print("  log-likelihood \(fixed(fit.logLikelihood, 2))")
        }
        if !fit.converged { throw CommandFailure(reason: "the fit did not converge") }
    }
}

/// `winback backtest`: how the criteria would have done on a past day.
struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Replay a past day and compare each criterion's flags with what happened next.",
        discussion: """
            For each criterion and p_alive: of the clients active in the year before --as-of, how many it \
            flagged, the share of those that bought nothing within --horizon days (precision), the share of \
            all that bought nothing it had flagged (recall), and how many flagged clients came back. Beside \
            it, winback's silence verdicts against the plain rule "silent N days" at the same false-alarm \
            rate. With --from and --to instead: every month end of the period, and one rule tuned over all \
            of them. Tune the thresholds in the config and run it again.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("as-of"), help: ArgumentHelp("The day to replay.", valueName: "YYYY-MM-DD"))
    var asOf: Day?

    @Option(help: ArgumentHelp("Replay every month end from this day…", valueName: "YYYY-MM-DD"))
    var from: Day?

    @Option(help: ArgumentHelp("…through this day.", valueName: "YYYY-MM-DD"))
    var to: Day?

    @Option(help: "Days after it to look at.")
    var horizon: Int = 90

    @Option(help: "Output format: table, json or csv.")
    var format: OutputFormat = .table

    @Option(help: ArgumentHelp("The false-alarm rate to keep under when suggesting a limit, in percent.", valueName: "percent"))
    var target: Double = 2

    func run() throws {
        switch (asOf, from, to) {
        case (let asOf?, nil, nil): try runDay(asOf)
        case (nil, let from?, let to?): try runPeriod(from: from, to: to)
        default: throw ValidationError("give either --as-of, or --from and --to")
        }
    }

    func validate() throws {
        guard target > 0, target < 100 else { throw ValidationError("--target must be a percentage between 0 and 100") }
        guard horizon > 0 else { throw ValidationError("--horizon must be a positive number of days") }
        guard (asOf != nil) != (from != nil || to != nil), (from == nil) == (to == nil) else {
            throw ValidationError("give either --as-of, or --from and --to")
        }
    }

    private func runPeriod(from: Day, to: Day) throws {
        let (config, database) = try global.open()
        let period: Backtest.Period
        do {
            period = try Backtest(database: database, settings: config.churn)
                .run(monthEndsFrom: from, through: to, horizonDays: horizon)
        } catch let failure as Backtest.Failure {
            throw CommandFailure(reason: failure.description)
        }
        let rule = period.ruleDays.map { "silent \($0) days" } ?? "silent N days"
        var table = Report(columns: [
            .init(key: "as_of", header: "month end"), .init(key: "active_clients", header: "active"),
            .init(key: "false_alarms", header: "false alarms"), .init(key: "found", header: "found"),
            .init(key: "rule_false_alarms", header: "rule false"), .init(key: "rule_found", header: "rule found"),
            .init(key: "rule_days", header: "rule days"), .init(key: "silent_clients", header: "silent"),
            .init(key: "horizon_days", header: "horizon"),
        ])
        func pct(_ value: Double) -> String { fixed(value * 100, 1) + " %" }
        for (report, ruleRates) in zip(period.reports, period.ruleByDay) {
            let c = report.comparison
            table.append([
                .date(report.asOf), .integer(report.activeClients), .number(pct(c.winback.falseAlarms)),
                .number(pct(c.winback.recall)), .number(period.ruleDays.map { _ in pct(ruleRates.falseAlarms) }),
                .number(period.ruleDays.map { _ in pct(ruleRates.recall) }), .integer(period.ruleDays ?? 0),
                .integer(report.silentClients), .integer(report.horizonDays),
            ])
        }
        guard format == .table else {
            print(table.render(format), terminator: "")
            return
        }
        print("Every month end from \(period.reports.first!.asOf.iso) to \(period.reports.last!.asOf.iso), horizon \(horizon) days.")
        print("winback's silence verdicts against \"\(rule)\": the shortest silence")
        print("with no more false alarms over all these days. False alarms: flagged among the")
        print("clients that bought again; found: flagged among those that bought nothing.")
        print(table.dropping(["rule_days", "silent_clients", "horizon_days"]).render(.table), terminator: "")
        print("")
        print("Over all these days:")
        func line(_ name: String, _ rates: Backtest.Rates) -> String {
            "  " + name + String(repeating: " ", count: max(1, 18 - name.count))
                + "false alarms \(pct(rates.falseAlarms).leftPadded(to: 7, with: " "))  found \(pct(rates.recall))"
        }
        print(line("winback", period.winback))
        if let ruleRates = period.rule {
            print(line(rule, ruleRates))
        } else {
            print("No \"silent N days\" rule keeps false alarms that low.")
        }
        let worst = period.reports.max { $0.comparison.winback.falseAlarms < $1.comparison.winback.falseAlarms }!
        print("Worst day for winback: \(worst.asOf.iso), \(pct(worst.comparison.winback.falseAlarms)) false alarms.")
    }

    private func runDay(_ day: Day) throws {
        let (config, database) = try global.open()
        let report: Backtest.Report
        do {
            report = try Backtest(database: database, settings: config.churn).run(asOf: day, horizonDays: horizon)
        } catch let failure as Backtest.Failure {
            throw CommandFailure(reason: failure.description)
        }
        var table = Report(columns: [
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
                .integer(row.cameBack), .date(report.asOf), .integer(report.horizonDays), .integer(report.activeClients),
                .integer(report.silentClients),
            ])
        }
        if format == .table {
            print("As of \(report.asOf.iso): \(report.activeClients) clients had bought in the year before;")
            print("\(report.silentClients) of them bought nothing in the next \(report.horizonDays) days.")
            print(table.dropping(["as_of", "horizon_days", "active_clients", "silent_clients"]).render(.table), terminator: "")
            let c = report.comparison
            func pct(_ value: Double) -> String { fixed(value * 100, 1) + " %" }
            print("")
            print("winback's silence verdicts against \"silent N days\", N the shortest silence")
            print("with no more false alarms (false alarms: flagged among the clients that bought")
            print("again; a decline flags clients that still buy and is left out of both):")
            print("  winback          false alarms \(pct(c.winback.falseAlarms).leftPadded(to: 7, with: " "))  found \(pct(c.winback.recall))")
            if let days = c.ruleDays, let rule = c.rule {
                print("  silent \(String(days).leftPadded(to: 3, with: " ")) days  false alarms \(pct(rule.falseAlarms).leftPadded(to: 7, with: " "))"
                    + "  found \(pct(rule.recall))")
            } else {
                print("  no \"silent N days\" rule keeps false alarms that low")
            }
            print("")
            print("At other [criteria.overdue] at_risk_probability limits:")
            for limit in report.limits {
                print("  \(String(format: "%-8g", limit.atRiskProbability))  false alarms \(pct(limit.rates.falseAlarms).leftPadded(to: 7, with: " "))"
                    + "  recall \(pct(limit.rates.recall).leftPadded(to: 7, with: " "))")
            }
            if let best = report.limits.first(where: { $0.rates.falseAlarms * 100 <= target }) {
                print("To keep false alarms under \(fixed(target, 1)) % here: at_risk_probability = \(best.atRiskProbability) or lower.")
            }
        } else {
            print(table.render(format), terminator: "")
        }
    }
}
