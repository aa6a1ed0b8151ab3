/// A failure the user must fix: printed as `crier: MESSAGE`, exit status 1.
struct UserFacingFailure: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
