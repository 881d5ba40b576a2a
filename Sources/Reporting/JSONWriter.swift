import Foundation

/// The one way tenantwall writes JSON: every command's `--format json`, and the JSON report files of verify,
/// audit and bench.
///
/// Output is a contract read by pipelines, so it is written one way everywhere: an `Encodable` value through
/// one configured `JSONEncoder` (keys sorted, two-space indentation, `/` left unescaped, a final newline).
/// Nothing is built by string interpolation, so an id with a quote, a backslash or a newline is escaped like
/// any other string.
///
/// ```swift
/// print(try JSONWriter.render(report), terminator: "")
/// ```
public enum JSONWriter {
    /// How the value's property names become JSON keys.
    public enum Keys: Sendable {
        /// As the type declares them (its `CodingKeys`, else the property names).
        case asDeclared
        /// camelCase names written as snake_case (`init --format json`'s documented shape).
        case snakeCase
    }

    /// The configured encoder; `render` is the usual way in.
    public static func encoder(keys: Keys = .asDeclared) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        if keys == .snakeCase { encoder.keyEncodingStrategy = .convertToSnakeCase }
        return encoder
    }

    /// `value` as JSON text ending in a newline.
    ///
    /// - Throws: `EncodingError` for what JSON cannot hold (a NaN or an infinite number).
    public static func render<T: Encodable>(_ value: T, keys: Keys = .asDeclared) throws -> String {
        String(decoding: try encoder(keys: keys).encode(value), as: UTF8.self) + "\n"
    }
}
