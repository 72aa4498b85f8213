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
        let data = try database.repeatSummaries(asOf: day)
        guard !data.isEmpty else { throw CommandFailure(reason: "no client had bought by \(day.iso): nothing to fit") }
        let started = Date()
        let fit = BetaGeometricModel.fit(data, variant: model)
        let seconds = Date().timeIntervalSince(started)
        print(ModelFitOutput.render(fit, asOf: day, seconds: seconds, format: format), terminator: "")
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
            period = try BacktestJob(database: database, settings: config.churn)
                .run(monthEndsFrom: from, through: to, horizonDays: horizon)
        } catch let failure as BacktestJob.Failure {
            throw CommandFailure(reason: failure.description)
        }
        print(BacktestOutput.period(period, format: format), terminator: "")
    }

    private func runDay(_ day: Day) throws {
        let (config, database) = try global.open()
        let report: Backtest.Replay
        do {
            report = try BacktestJob(database: database, settings: config.churn).run(asOf: day, horizonDays: horizon)
        } catch let failure as BacktestJob.Failure {
            throw CommandFailure(reason: failure.description)
        }
        print(BacktestOutput.day(report, target: target, format: format), terminator: "")
    }
}
