// Where a fit starts instead of its first guess from the landmarks: the shape, expressions and pose
// of an earlier fit (its parameters.json), so a fit can be resumed, redone with other settings, or
// started from a known face (the synthetic benchmark's truth, to see whether the objective holds it).
import Foundation

public struct FitStart: Equatable, Sendable {
    /// p_s [Ks] and p_e [Ke] (as `FaceParameters`), the axis-angle [3] and translation [3] (mm).
    public var shape: [Float]
    public var expression: [Float]
    public var rotation: [Float]
    public var translation: [Float]
    /// Where it came from (a file's path), for messages and logs.
    public var source: String

    public init(
        shape: [Float], expression: [Float], rotation: [Float], translation: [Float], source: String
    ) {
        (self.shape, self.expression, self.rotation, self.translation, self.source) =
            (shape, expression, rotation, translation, source)
    }

    /// Reads a fit's parameters.json (`FitParametersFile`): "shape", "expression" and the camera's
    /// "rotation_axis_angle" and "translation".
    public init(parametersJSON data: Data, source: String) throws {
        func fail(_ problem: String) -> EngineError {
            EngineError.invalidValue(
                "\(source): \(problem); --start takes the parameters.json a fit wrote (shape, expression, "
                    + "camera.rotation_axis_angle, camera.translation)")
        }
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw fail("not a JSON object")
        }
        func numbers(_ value: Any?, _ name: String, count: Int? = nil) throws -> [Float] {
            guard let list = value as? [Any],
                case let values = list.compactMap({ ($0 as? NSNumber)?.floatValue }),
                values.count == list.count, values.allSatisfy(\.isFinite)
            else { throw fail("\(name) is missing or not a list of finite numbers") }
            if let count, values.count != count {
                throw fail("\(name) has \(values.count) numbers, not \(count)")
            }
            return values
        }
        let camera = root["camera"] as? [String: Any]
        self.init(
            shape: try numbers(root["shape"], "shape"),
            expression: try numbers(root["expression"], "expression"),
            rotation: try numbers(camera?["rotation_axis_angle"], "camera.rotation_axis_angle", count: 3),
            translation: try numbers(camera?["translation"], "camera.translation", count: 3), source: source)
    }

    /// Reads the parameters.json at `path`.
    public init(contentsOf path: String) throws {
        try self.init(parametersJSON: FileInput.read(path, what: "a fit's parameters.json"), source: path)
    }

    /// `parameters` with this start's shape, expressions and pose; throws when the counts are not
    /// the model's.
    public func applied(to parameters: FaceParameters) throws -> FaceParameters {
        guard shape.count == parameters.shape.count, expression.count == parameters.expression.count else {
            throw EngineError.shapeMismatch(
                op: "fit --start \(source)",
                expected: "\(parameters.shape.count) shape and \(parameters.expression.count) expression "
                    + "coefficients (the model's)",
                got: "\(shape.count) and \(expression.count)")
        }
        var started = parameters
        (started.shape, started.expression, started.rotation, started.translation) =
            (shape, expression, rotation, translation)
        return started
    }
}
