public import Foundation

// RecurAPI: the types and server stubs generated from openapi.yaml by the
// OpenAPIGenerator build plugin, and the spec itself, served at /openapi.yaml.

public enum RecurAPISpec {
    /// The OpenAPI document the server is generated from.
    public static func yaml() -> Data {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"), let data = try? Data(contentsOf: url) else {
            return Data("openapi: 3.1.0\ninfo: {title: Recur API, version: unknown}\npaths: {}\n".utf8)
        }
        return data
    }
}
