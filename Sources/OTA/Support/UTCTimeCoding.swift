import Foundation

extension JSONEncoder.DateEncodingStrategy {
    /// `2026-11-30T09:15:02Z`, the same text as `.iso8601`, without ICU: Foundation's `.iso8601`
    /// builds a Gregorian calendar in the current time zone, which loads ICU's time-zone data (see
    /// ``UTCTime``).
    package static var utcISO8601: Self {
        .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(UTCTime.iso8601(date))
        }
    }
}

extension JSONDecoder.DateDecodingStrategy {
    /// Reads what ``JSONEncoder/DateEncodingStrategy/utcISO8601`` and `.iso8601` write (fractions and
    /// offsets accepted), without ICU.
    package static var utcISO8601: Self {
        .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = UTCTime.date(iso8601: text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not an ISO 8601 date-time")
            }
            return date
        }
    }
}
