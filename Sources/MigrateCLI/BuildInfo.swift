/// What this binary is. `scripts/package.sh` writes the commit here for a release build and restores the file
/// afterwards; a development build says "development".
enum BuildInfo {
    static let version = "0.2.0"
    static let commit = "development"
}
