// The model's face contour vertices (eos's sfm_model_contours.json) and the pose-dependent
// choice of contour vertex for each jaw-line landmark.
import Foundation

/// The vertices along the right and left outline of the face, ordered from the top of the
/// face towards the chin; 0-based vertex indices.
public struct ModelContour: Sendable {
    public let right: [Int]
    public let left: [Int]

    public init(right: [Int], left: [Int]) {
        self.right = right
        self.left = left
    }

    /// Reads `{"model_contour": {"right_contour": […], "left_contour": […]}}` and checks each
    /// index against `vertexCount`.
    public static func read(_ path: String, vertexCount: Int) throws -> ModelContour {
        let data = try FileInput.read(path, what: "a model contour file (JSON)")
        func bad(_ problem: String) -> EngineError { .badFile(path: path, problem: problem) }
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: data) } catch { throw bad("is not valid JSON: \(error.localizedDescription)") }
        guard let contour = (json as? [String: Any])?["model_contour"] as? [String: Any] else {
            throw bad("has no \"model_contour\" object")
        }
        func side(_ key: String) throws -> [Int] {
            guard let list = contour[key] as? [NSNumber] else { throw bad("model_contour.\(key) is missing or not a list of numbers") }
            return try list.map {
                guard let v = Int(exactly: $0.doubleValue), (0..<vertexCount).contains(v) else {
                    throw bad("model_contour.\(key) has \($0), not a vertex index in 0..<\(vertexCount)")
                }
                return v
            }
        }
        return ModelContour(right: try side("right_contour"), left: try side("left_contour"))
    }

    /// The model vertex for each jaw-line landmark at the current pose, following eos's
    /// contour fitting: with yaw ≥ 0 (the subject turned towards their left, so their right
    /// cheek faces the camera) only the right contour is used, otherwise only the left; each
    /// contour landmark of that side gets the contour vertex whose projection lies closest to
    /// the detected landmark. The other side's contour landmarks get no correspondence.
    ///
    /// - Parameters:
    ///   - yawDegrees: head rotation about the vertical axis, in degrees (sign as above).
    ///   - mapping: which iBUG numbers form each side's contour.
    ///   - landmarks: detected points, [68]: landmarks[n − 1] is iBUG point n, in pixels.
    ///   - project: a vertex index → its position in the same image, in pixels.
    /// - Returns: (iBUG number, vertex index) pairs, one per contour landmark of the chosen side.
    public func correspondences(yawDegrees: Float, mapping: LandmarkMapping, landmarks: [SIMD2<Float>],
                                project: (Int) -> SIMD2<Float>) -> [(landmark: Int, vertex: Int)] {
        let (numbers, vertices) = yawDegrees >= 0 ? (mapping.rightContour, right) : (mapping.leftContour, left)
        guard !vertices.isEmpty else { return [] }
        let projected = vertices.map(project)
        return numbers.filter { $0 <= landmarks.count }.map { number in
            let point = landmarks[number - 1]
            let nearest = projected.indices.min { a, b in
                squaredLength(projected[a] - point) < squaredLength(projected[b] - point)
            }!
            return (number, vertices[nearest])
        }
    }
}

private func squaredLength(_ v: SIMD2<Float>) -> Float { (v * v).sum() }
