/// Reads range partitions' bounds (`FOR VALUES FROM ('2026-10-01') TO ('2026-11-01')`, as `pg_get_expr`
/// writes them) to find the interval a hand-partitioned table was cut by, so the spec asks tenantwall to go on
/// cutting it the same way. Bounds are compared as written: every partition of a table carries the same
/// time zone offset, so the offset never changes a difference.
public enum PartitionBounds {
    /// A bound's calendar date and time of day (seconds).
    struct Moment: Equatable, Comparable {
        var year, month, day, seconds: Int

        static func < (a: Moment, b: Moment) -> Bool {
            (a.year, a.month, a.day, a.seconds) < (b.year, b.month, b.day, b.seconds)
        }

        /// Days since 1970-01-01 (proleptic Gregorian), for differences in days.
        var dayNumber: Int {
            let y = month <= 2 ? year - 1 : year
            let era = (y >= 0 ? y : y - 399) / 400
            let yearOfEra = y - era * 400
            let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
            let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
            return era * 146097 + dayOfEra - 719468
        }

        /// `YYYY-MM-DD[ HH:MM[:SS[.fff]]][±TZ]`, the form PostgreSQL prints dates and timestamps in.
        init?(_ text: String) {
            let digits = text.split(whereSeparator: { !$0.isNumber }).map(String.init)
            guard digits.count >= 3, digits[0].count == 4, let y = Int(digits[0]), let m = Int(digits[1]), let d = Int(digits[2]),
                  (1...12).contains(m), (1...31).contains(d) else { return nil }
            year = y; month = m; day = d; seconds = 0
            let rest = text.dropFirst(10)
            if rest.hasPrefix(" ") || rest.hasPrefix("T"), digits.count >= 5, let h = Int(digits[3]), let mi = Int(digits[4]) {
                seconds = h * 3600 + mi * 60 + (digits.count >= 6 && text.dropFirst(16).hasPrefix(":") ? Int(digits[5]) ?? 0 : 0)
            }
        }

        init(year: Int, month: Int, day: Int, seconds: Int) {
            self.year = year; self.month = month; self.day = day; self.seconds = seconds
        }
    }

    /// The lower and upper bound of a range partition over one column, or nil (DEFAULT, MINVALUE, several columns).
    static func range(_ bound: String) -> (from: Moment, to: Moment)? {
        let literals = quoted(bound)
        guard literals.count == 2, let from = Moment(literals[0]), let to = Moment(literals[1]), from < to else { return nil }
        return (from, to)
    }

    /// The single-quoted literals of a bound, in order.
    static func quoted(_ text: String) -> [String] {
        var out: [String] = [], current = "", inside = false
        var characters = Array(text)[...]
        while let c = characters.popFirst() {
            if c == "'" {
                if inside, characters.first == "'" { current.append("'"); characters = characters.dropFirst(); continue }
                if inside { out.append(current); current = "" }
                inside.toggle()
            } else if inside {
                current.append(c)
            }
        }
        return out
    }

    /// The interval every range partition spans (`1 month`, `1 week`, `7 days` as `1 week`, `1 day`, `1 hour`),
    /// or nil when there is none, or they differ.
    public static func interval(_ partitions: [ExistingDatabase.Partition]) -> String? {
        let ranges = partitions.compactMap { range($0.bound) }
        guard !ranges.isEmpty else { return nil }
        let steps = Set(ranges.map { step(from: $0.from, to: $0.to) })
        guard steps.count == 1, let only = steps.first else { return nil }
        return only
    }

    /// How many range partitions start after `today` (`YYYY-MM-DD`): the periods made ahead of time.
    public static func ahead(_ partitions: [ExistingDatabase.Partition], today: String) -> Int {
        guard let now = Moment(today) else { return 0 }
        let endOfToday = Moment(year: now.year, month: now.month, day: now.day, seconds: 86_399)
        return partitions.compactMap { range($0.bound) }.filter { endOfToday < $0.from }.count
    }

    static func step(from: Moment, to: Moment) -> String {
        if from.day == 1, to.day == 1, from.seconds == 0, to.seconds == 0 {
            let months = (to.year - from.year) * 12 + to.month - from.month
            if months % 12 == 0 { return plural(months / 12, "year") }
            return plural(months, "month")
        }
        return duration(seconds: (to.dayNumber - from.dayNumber) * 86_400 + to.seconds - from.seconds) ?? "\(to.dayNumber - from.dayNumber) days"
    }

    /// A duration in seconds as a spec interval (`1 week`, `3 days`, `1 hour`), or nil when it is not a whole
    /// number of minutes.
    public static func duration(seconds: Int) -> String? {
        guard seconds > 0 else { return nil }
        if seconds == 604_800 { return "1 week" }
        for (unit, size) in [("day", 86_400), ("hour", 3_600), ("minute", 60)] where seconds % size == 0 {
            return plural(seconds / size, unit)
        }
        return nil
    }

    static func plural(_ count: Int, _ unit: String) -> String { "\(count) \(unit)\(count == 1 ? "" : "s")" }
}
