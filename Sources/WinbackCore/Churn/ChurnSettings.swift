/// Every threshold of the churn criteria, the statuses and the classes, with the documented defaults.
///
/// `config/winback.toml` lists the same keys and defaults under `[criteria.*]`, `[status]` and `[classes]`.
public struct ChurnSettings: Sendable, Equatable {
    public var overdue = Overdue()
    public var silence = Silence()
    public var decline = Decline()
    public var categoryDrop = CategoryDrop()
    public var returns = Returns()
    public var pAlive = PAlive()
    public var status = StatusRules()
    public var classes = Classes()
    public var contacts = ContactRules()
    public var feed = Feed()
    public var calendar = Calendar()
    /// Whether a client's own off-season (months it never buys in, and came back after) is left out of its silence.
    public var seasons = true
    /// Offer rules, first match wins; the config's `[[offers]]` replace these defaults.
    public var offers = OfferRule.defaults
    /// How the explanations write amounts and large numbers: the config's `[locale]`.
    public var numbers = NumberStyle.plain

    public init() {}

    /// `[feed]`: when the sales export counts as stopped.
    public struct Feed: Sendable, Equatable {
        /// Days without any sale after which the feed counts as stopped; nil learns it from the book's own pauses.
        public var staleAfterDays: Int?
        public init() {}
    }

    /// Key-account working rules about contacts and dossiers.
    public struct ContactRules: Sendable, Equatable {
        /// A key client should have a positive contact at least this often…
        public var positiveContactDays = 10
        /// …after a negative contact, personal contact pauses this long…
        public var negativePauseDays = 14
        /// …and its dossier is reviewed at least this often.
        public var dossierReviewDays = 92
        public init() {}
    }

    /// Silent for longer than a client with its rhythm and regularity ordinarily is.
    ///
    /// Each client's gaps, in the book's working time and without its off-season, give it a gamma distribution
    /// (its mean gap and its regularity), shrunk toward the book's when it has few gaps. A silence is at risk when
    /// a client still buying would be that silent less often than `atRiskProbability`, lost when less often than
    /// `lostProbability`.
    public struct Overdue: Sendable, Equatable {
        public var enabled = true
        public var atRiskProbability = 0.01
        public var lostProbability = 0.001
        /// …and only once it has been silent this many of its mean gaps: a client that merely slowed down is at risk,
        /// not gone.
        public var lostAfterGaps = 3.0
        /// The distribution is fitted on at most this many most recent gaps.
        public var maxGaps = 24
        public init() {}
    }

    /// Clients with a single purchase, judged the same way against the gaps of the book's clients.
    public struct Silence: Sendable, Equatable {
        public var enabled = true
        public init() {}
    }

    /// `[calendar]`: working time. Learned from the book unless `learn` is false; `closed` days count for nothing.
    public struct Calendar: Sendable, Equatable {
        public var learn = true
        public var closed: [ClosedRange<Day>] = []
        public init() {}
    }

    /// Still buying, but for much less than before.
    public struct Decline: Sendable, Equatable {
        public var enabled = true
        /// The recent window and the one before it, in days…
        public var windowDays = 90
        /// …stretched to span at least this many of the client's typical gaps, so that one lumpy order is no decline.
        public var minGapsPerWindow = 6.0
        /// At risk when the recent window's revenue fell by at least this share against the same window a year
        /// earlier (or, with less history, against the window just before).
        public var drop = 0.5
        /// …and the fall is at least this many times the spread the client's own windows show by chance.
        public var z = 3.0
        /// Ignore clients whose earlier window brought less than this.
        public var minRevenue = Money.zero
        /// Order sizes: the last few orders (at most this many)…
        public var maxRecentOrders = 8
        /// …against the orders before them, of which there must be at least this many.
        public var minEarlierOrders = 6
        public init() {}
    }

    /// Stopped buying a category it bought regularly, while still buying others: a partial loss in a direction.
    public struct CategoryDrop: Sendable, Equatable {
        public var enabled = true
        /// The category was in at least this share of the client's purchase days…
        public var minShare = 0.3
        /// …at least this many times…
        public var minPurchases = 6
        /// …and the run of purchases without it is so long that chance explains it with less than this probability.
        public var alpha = 0.001
        /// How far back a category's regularity is measured, from its last purchase.
        public var lookbackDays = 365
        public init() {}
    }

    /// Returns and credit notes above a share of what was bought.
    public struct Returns: Sendable, Equatable {
        public var enabled = true
        public var windowDays = 90
        /// Flag above this share of the window's gross purchases.
        public var share = 0.2
        /// Ignore windows with less gross purchases than this.
        public var minGross = Money.zero
        public init() {}
    }

    /// P(alive) and p_buy, from the clients' gap distributions and the book's dropout model: the same numbers the
    /// silence verdicts come from. A client below `atRiskBelow` is at risk, so that no client the model thinks
    /// probably gone is called active.
    public struct PAlive: Sendable, Equatable {
        public var enabled = true
        /// At risk when the model gives the client less than this chance of still buying.
        public var atRiskBelow = 0.2
        /// `p_buy` and expected purchases are over this many days.
        public var horizonDays = 90
        public init() {}
    }

    /// How statuses move.
    public struct StatusRules: Sendable, Equatable {
        /// A client whose first purchase is this recent, and that has no rhythm yet, is `new`.
        public var newClientDays = 90
        /// A won-back client becomes `active` again this many days after it came back.
        public var wonBackDays = 90
        public init() {}
    }

    /// ABC, XYZ and revenue shares.
    public struct Classes: Sendable, Equatable {
        /// Revenue (or margin) and shares are summed over this many days up to the scan date.
        public var windowDays = 365
        public var abcBy = ABCMeasure.auto
        /// Cumulative share limits: A up to the first, B up to the second, C the rest.
        public var abcLimits = (a: 0.80, b: 0.95)
        /// Coefficient-of-variation limits of monthly revenue: X up to the first, Y up to the second, Z above.
        public var xyzLimits = (x: 0.10, y: 0.25)
        /// Whole calendar months before the scan's month that XYZ looks at.
        public var xyzMonths = 12
        /// A client with at least this share of revenue is a key client…
        public var keyShare = 0.10
        /// …above this the company depends on it critically…
        public var criticalShare = 0.20
        /// …above this it is a mono-client.
        public var monoShare = 0.50
        public init() {}

        public static func == (lhs: Classes, rhs: Classes) -> Bool {
            lhs.windowDays == rhs.windowDays && lhs.abcBy == rhs.abcBy && lhs.abcLimits == rhs.abcLimits
                && lhs.xyzLimits == rhs.xyzLimits && lhs.xyzMonths == rhs.xyzMonths && lhs.keyShare == rhs.keyShare
                && lhs.criticalShare == rhs.criticalShare && lhs.monoShare == rhs.monoShare
        }
    }

    /// What ABC ranks by.
    public enum ABCMeasure: String, Sendable, CaseIterable {
        case revenue, margin
        /// Margin when every client with revenue in the window has margins, revenue otherwise.
        case auto
    }
}
