import Foundation
import Testing
import WinbackConfig
import WinbackCore

@Suite("Config")
struct ConfigLoaderTests {
    @Test("a file with only state_dir is complete")
    func minimal() throws {
        let config = try ConfigLoader.parse("state_dir = \"/srv/winback\"\n", file: "/etc/winback/winback.toml")
        #expect(config.stateDirectory == "/srv/winback")
        #expect(config.importing == ImportSettings())
        #expect(config.timeZone == nil)
    }

    @Test("a relative state_dir is taken from the config file's folder")
    func relativeStateDir() throws {
        let config = try ConfigLoader.parse("state_dir = \"state\"\n", file: "/opt/app/config/winback.toml")
        #expect(config.stateDirectory == "/opt/app/config/state")
    }

    @Test("the shipped example config parses and states every default")
    func example() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../config/winback.toml")
        let config = try ConfigLoader.load(path: url.standardizedFileURL.path)
        #expect(config.stateDirectory == WinbackConfig.defaultStateDirectory)
        #expect(config.importing.maxListedErrors == ImportSettings().maxListedErrors)
        #expect(config.churn == ChurnSettings(), "the example states the defaults the code has")
        #expect(config.daemon == DaemonSettings())
        #expect(config.locale == .plain, "an example without a locale keeps today's output")
        #expect(config.importing.encoding == nil)
        #expect(config.notify == NotifySettings())
        #expect(config.retention == RetentionSettings())
    }

    @Test("[locale] gives the locale's marks, the currency's place, and Excel's delimiter")
    func locale() throws {
        let german = try ConfigLoader.parse("[locale]\nlocale = \"de-DE\"\ncurrency = \"eur\"\n", file: "w.toml").locale
        #expect(german.identifier == "de_DE")
        #expect(german.currency == "EUR")
        #expect(german.csvDelimiter == ";")
        #expect(german.byteOrderMark)
        #expect(german.numbers.amount(Money(units: 346_540)) == "346.540\u{A0}€")
        #expect(german.numbers.grouped(Money(scaled: 12_345_6000), decimals: 2) == "12.345,60")

        let british = try ConfigLoader.parse("[locale]\nlocale = \"en_GB\"\ncurrency = \"GBP\"\n", file: "w.toml")
        #expect(british.locale.csvDelimiter == ",")
        #expect(british.locale.byteOrderMark, "Excel reads UTF-8 only with a byte order mark, in every locale")
        #expect(british.locale.numbers.amount(Money(units: -1234)) == "£-1,234")
        #expect(british.churn.numbers == british.locale.numbers, "explanations follow the locale too")

        let french = try ConfigLoader.parse("[locale]\nlocale = \"fr_FR\"\ncsv_delimiter = \"\\t\"\n", file: "w.toml")
        #expect(french.locale.csvDelimiter == "\t")
        #expect(french.locale.numbers.count(1_234_567) == "1\u{202F}234\u{202F}567")
        #expect(french.locale.numbers.currencySuffix == "")

        let swiss = try ConfigLoader.parse("[locale]\nlocale = \"de_CH\"\n", file: "w.toml").locale
        #expect(swiss.numbers.decimalMark == "." && swiss.csvDelimiter == ";", "Swiss Excel lists with ;")
        let egyptian = try ConfigLoader.parse("[locale]\nlocale = \"ar_EG\"\n", file: "w.toml").locale
        #expect(egyptian.numbers.decimalMark == ".", "a mark spreadsheets cannot read with ASCII digits is not used")
        #expect(egyptian.numbers.groupingMark == "," && egyptian.csvDelimiter == ",")
    }

    @Test("[import] encoding names a single-byte encoding, or utf-8")
    func encoding() throws {
        let config = try ConfigLoader.parse("[import]\nencoding = \"Windows-1252\"\n", file: "w.toml")
        #expect(config.importing.encoding == .windows1252)
        #expect(try ConfigLoader.parse("[import]\nencoding = \"UTF-8\"\n", file: "w.toml").importing.encoding == nil)
    }

    @Test("every setting is read")
    func everything() throws {
        let text = """
            state_dir = "/var/lib/winback"
            time_zone = "Europe/Berlin"

            [import]
            date_formats = ["MM/DD/YYYY"]
            max_listed_errors = 20

            [import.columns.sales]
            date = "Belegdatum"
            client_id = "Kundennr"
            """
        let config = try ConfigLoader.parse(text, file: "w.toml")
        #expect(config.timeZone == "Europe/Berlin")
        #expect(config.importing.dateFormats == ["MM/DD/YYYY"])
        #expect(config.importing.maxListedErrors == 20)
        #expect(config.importing.columns[.sales] == ["date": "Belegdatum", "client_id": "Kundennr"])
    }

    @Test(
        "errors name the file, the line and the key",
        arguments: [
            ("state_dir = \"/x\"\nstate_dri = \"/y\"\n", "w.toml:2: state_dri: unknown key"),
            ("state_dir = 5\n", "w.toml:1: state_dir: expected a string, found an integer"),
            (
                "state_dir = \"/x\"\n\n[import]\nmax_listed_errors = 0\n",
                "w.toml:4: import.max_listed_errors: 0 is out of range 1…100000"
            ),
            (
                "[import]\ndate_formats = [\"DD/MM\"]\n",
                "w.toml:2: import.date_formats: date pattern \"DD/MM\": needs one year (YYYY or YY), one month (MM or M) and one day (DD or D)"
            ),
            (
                "[locale]\nlocale = \"xx_YY\"\n",
                "w.toml:2: locale.locale: unknown locale \"xx_YY\"; use a name such as \"de_DE\", \"fr_FR\" or \"en_GB\""
            ),
            (
                "[locale]\ncurrency = \"EURO\"\n",
                "w.toml:2: locale.currency: unknown currency \"EURO\"; use an ISO 4217 code such as \"EUR\" or \"CHF\""
            ),
            (
                "[locale]\nlocale = \"de_DE\"\ncsv_delimiter = \",\"\n",
                "w.toml:3: locale.csv_delimiter: must differ from the locale's decimal mark \",\""
            ),
            ("[locale]\nlanguage = \"de\"\n", "w.toml:2: locale.language: unknown key"),
            (
                "[import]\nencoding = \"utf-16\"\n",
                "w.toml:2: import.encoding: unknown encoding \"utf-16\"; expected one of utf-8, windows-1252, windows-1250, windows-1251, iso-8859-1, iso-8859-2, iso-8859-15"
            ),
            (
                "time_zone = \"Mars/Olympus\"\n",
                "w.toml:1: time_zone: unknown time zone \"Mars/Olympus\"; use an IANA name such as \"Europe/Berlin\""
            ),
            (
                "[import.columns.sales]\nprice = \"Preis\"\n",
                "w.toml:2: import.columns.sales.price: not a column of sales files; they have date, client_id, document, amount, client_name, line, sku, category, quantity, margin, manager, region"
            ),
            ("[import.colums]\n", "w.toml:1: import.colums: unknown key"),
        ])
    func errors(_ text: String, _ message: String) {
        #expect(throws: (any Error).self) { try ConfigLoader.parse(text, file: "w.toml") }
        do {
            _ = try ConfigLoader.parse(text, file: "w.toml")
        } catch {
            #expect(String(describing: error) == message)
        }
    }

    @Test("criteria, statuses and classes are read with their defaults kept for what is left out")
    func churnSettings() throws {
        let text = """
            [criteria.overdue]
            at_risk_probability = 0.02
            lost_probability = 0.0001

            [criteria.decline]
            enabled = false

            [classes]
            abc_by = "margin"
            abc_limits = [0.7, 0.9]
            """
        let config = try ConfigLoader.parse(text, file: "w.toml")
        #expect(config.churn.overdue.atRiskProbability == 0.02)
        #expect(config.churn.overdue.lostProbability == 0.0001)
        #expect(config.churn.overdue.maxGaps == ChurnSettings().overdue.maxGaps)
        #expect(config.churn.decline.enabled == false)
        #expect(config.churn.classes.abcBy == .margin)
        #expect(config.churn.classes.abcLimits == (0.7, 0.9))
        #expect(config.churn.silence == ChurnSettings().silence)
    }

    @Test(
        "criteria errors name the line and the key",
        arguments: [
            (
                "[criteria.overdue]\nat_risk_probability = \"two\"\n",
                "w.toml:2: criteria.overdue.at_risk_probability: expected a number, found a string"
            ),
            (
                "[criteria.overdue]\nat_risk_probability = 0.001\nlost_probability = 0.01\n",
                "w.toml:3: criteria.overdue.lost_probability: must not be above at_risk_probability (0.001)"
            ),
            (
                "[criteria.overdue]\nat_risk_factor = 3\n",
                "w.toml:2: criteria.overdue.at_risk_factor: no longer used: a silence is judged by how rarely a client with its gaps is that silent; set at_risk_probability and lost_probability instead"
            ),
            (
                "[calendar]\nclosed = [\"2025-12-24..2025-12-01\"]\n",
                "w.toml:2: calendar.closed: expected days as \"YYYY-MM-DD\" or \"YYYY-MM-DD..YYYY-MM-DD\", found \"2025-12-24..2025-12-01\""
            ),
            (
                "[criteria.silence]\nenabled = 1\n",
                "w.toml:2: criteria.silence.enabled: expected true or false, found an integer"
            ),
            (
                "[classes]\nabc_limits = [0.95, 0.8]\n",
                "w.toml:2: classes.abc_limits: expected two increasing numbers within 0.01…1.0"
            ),
            (
                "[classes]\nabc_by = \"profit\"\n",
                "w.toml:2: classes.abc_by: expected \"revenue\", \"margin\" or \"auto\", found \"profit\""
            ),
            ("[criteria.churn]\n", "w.toml:1: criteria.churn: unknown key"),
            (
                "[daemon]\nscan_at = \"6am\"\n",
                "w.toml:2: daemon.scan_at: expected a local time as \"HH:MM\", found \"6am\""
            ),
            (
                "[[offers]]\nname = \"x\"\nkind = \"visit\"\ntext = \"t\"\n\n[[offers]]\nname = \"y\"\nkind = \"bribe\"\n",
                "w.toml:8: offers.kind: expected one of offer, discount, gift, visit"
            ),
        ])
    func churnErrors(_ text: String, _ message: String) {
        do {
            _ = try ConfigLoader.parse(text, file: "w.toml")
            Issue.record("parsed: \(text)")
        } catch {
            #expect(String(describing: error) == message)
        }
    }

    @Test("a table header toml++ would abort on is an error with its line (found by fuzzing)")
    func badHeader() {
        do {
            _ = try ConfigLoader.parse("state_dir = \"/x\"\n[[~offers]]\nname = \"a\"\n", file: "w.toml")
            Issue.record("parsed")
        } catch {
            #expect(
                String(describing: error)
                    == "w.toml:2: \"~offers\" is not a valid key: use letters, digits, _ and -, or quotes")
        }
        // What the guard must let through: quoted and dotted keys, arrays and strings over several lines.
        let valid = """
            state_dir = "/x"
            time_zone = "Europe/Berlin"
            [import]
            date_formats = [
              "MM/DD/YYYY",
              "DD/MM/YY",
            ]
            [import.columns."sales"]
            date = "[Beleg]datum"
            """
        #expect(throws: Never.self) { try ConfigLoader.parse(valid, file: "w.toml") }
    }

    @Test("a syntax error names its line")
    func syntax() {
        do {
            _ = try ConfigLoader.parse("state_dir = \"/x\"\nthis is not toml\n", file: "w.toml")
            Issue.record("parsed")
        } catch let error as ConfigError {
            #expect(error.line == 2)
            #expect(error.file == "w.toml")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("resolution: --config, then $WINBACK_CONFIG, then /etc, then ./config")
    func resolution() throws {
        let all: Set<String> = ["/given.toml", "/env.toml", ConfigLoader.systemPath, ConfigLoader.localPath]
        let exists = { (path: String) in all.contains(path) }
        #expect(
            try ConfigLoader.locate(
                explicit: "/given.toml", environment: ["WINBACK_CONFIG": "/env.toml"], fileExists: exists)
                == "/given.toml")
        #expect(
            try ConfigLoader.locate(explicit: nil, environment: ["WINBACK_CONFIG": "/env.toml"], fileExists: exists)
                == "/env.toml")
        #expect(try ConfigLoader.locate(explicit: nil, environment: [:], fileExists: exists) == ConfigLoader.systemPath)
        #expect(
            try ConfigLoader.locate(explicit: nil, environment: [:], fileExists: { $0 == ConfigLoader.localPath })
                == ConfigLoader.localPath)
        #expect(throws: ConfigError.self) {
            try ConfigLoader.locate(explicit: "/missing.toml", environment: [:], fileExists: exists)
        }
        #expect(throws: ConfigError.self) {
            try ConfigLoader.locate(explicit: nil, environment: ["WINBACK_CONFIG": "/gone.toml"], fileExists: exists)
        }
        #expect(throws: ConfigError.self) {
            try ConfigLoader.locate(explicit: nil, environment: [:], fileExists: { _ in false })
        }
    }

    @Test("[retention] is read; absent or 0 keeps everything; a bad value names its line and key")
    func retention() throws {
        let config = try ConfigLoader.parse(
            "state_dir = \"/x\"\n[retention]\narchive_days = 365\noutbox_days = 90\n", file: "w.toml")
        #expect(config.retention == RetentionSettings(archiveDays: 365, outboxDays: 90))
        #expect(config.retention.removesAnything)
        let partial = try ConfigLoader.parse("[retention]\noutbox_days = 30\n", file: "w.toml")
        #expect(partial.retention == RetentionSettings(archiveDays: 0, outboxDays: 30))
        #expect(!(try ConfigLoader.parse("state_dir = \"/x\"\n", file: "w.toml")).retention.removesAnything)
        for (text, message) in [
            ("[retention]\narchive_days = -1\n", "w.toml:2: retention.archive_days: -1 is out of range 0…36500"),
            ("[retention]\n\noutbox_days = \"90\"\n", "w.toml:3: retention.outbox_days: expected an integer, found a string"),
            ("[retention]\noutbox_days = 90.5\n", "w.toml:2: retention.outbox_days: expected an integer, found a number"),
            ("[retention]\nrejected_days = 30\n", "w.toml:2: retention.rejected_days: unknown key"),
        ] {
            let error = #expect(throws: ConfigError.self) { try ConfigLoader.parse(text, file: "w.toml") }
            #expect(error?.description == message)
        }
    }

    @Test("[import] changed_lines and [feed] stale_after_days are read and checked")
    func guardsSettings() throws {
        let config = try ConfigLoader.parse(
            "state_dir = \"/x\"\n[import]\nchanged_lines = \"keep\"\n[feed]\nstale_after_days = 7\n", file: "w.toml")
        #expect(config.importing.changedLines == .keep)
        #expect(config.churn.feed.staleAfterDays == 7)
        #expect(try ConfigLoader.parse("state_dir = \"/x\"\n", file: "w.toml").importing.changedLines == .replace)
        do {
            _ = try ConfigLoader.parse("state_dir = \"/x\"\n[import]\nchanged_lines = \"merge\"\n", file: "w.toml")
            Issue.record("parsed")
        } catch let error as ConfigError {
            #expect(error.line == 3)
            #expect(error.description.contains("expected \"replace\" or \"keep\""))
        }
    }
}
