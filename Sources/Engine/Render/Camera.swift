// Perspective projection of vertices to pixel coordinates, composed of graph ops (matmul,
// slices, elementwise), so autodiff gives the gradients to pose, focal length and vertices.

/// Conventions. World and camera space are right-handed with y up; the camera sits at the
/// origin of camera space looking along −z (OpenGL style), so a face modelled facing +z (the
/// Surrey model) faces the camera for rotation 0 and translation (0, 0, −d).
/// Pixel coordinates: x to the right, y down, pixel (row i, column j) has its centre at
/// (j + 0.5, i + 0.5); the principal point is the image centre (W/2, H/2) unless given.
public extension Graph {
    /// screen [V, 3] = (x_px, y_px, depth) of vertices [V, 3] seen by a pinhole camera:
    /// p = R(rotation)·v + translation, depth = −p.z, x_px = W/2 + f·p.x/depth,
    /// y_px = H/2 − f·p.y/depth, with rotation an axis-angle [3], translation [3] and the focal
    /// length f [1] in pixels (for a field of view φ across the width, f = W/2/tan(φ/2)); with
    /// `principalPoint` [2] (continuous pixels) in place of (W/2, H/2) when given.
    /// Vertices at depth ≤ 0 project to meaningless (or infinite) coordinates; the rasterizer
    /// culls every triangle with a vertex nearer than its near plane.
    func project(_ vertices: Value, rotation: Value, translation: Value, focal: Value,
                 width: Int, height: Int, principalPoint: Value? = nil) throws -> Value {
        let op = "project"
        guard vertices.shape.count == 2, vertices.shape[1] == 3, rotation.shape == [3], translation.shape == [3],
              focal.shape == [1], principalPoint.map({ $0.shape == [2] }) ?? true, width > 0, height > 0 else {
            throw EngineError.shapeMismatch(op: op, expected: "vertices [V, 3], rotation [3], translation [3], focal [1], principal point [2], size > 0",
                                            got: "\(vertices.type), \(rotation.type), \(translation.type), \(focal.type), "
                                                + "\(principalPoint?.type.description ?? "none"), \(width)×\(height)")
        }
        let v = vertices.shape[0]
        let camera = try add(matmul(vertices, rotationMatrix(axisAngle: rotation), transB: true), translation)
        let depth = try neg(slice(camera, axis: 1, 2..<3))
        let planar = try mul(slice(camera, axis: 1, 0..<2), div(focal, depth))
        let pixels = try add(mul(planar, constant(HostTensor([2], [1, -1]))),
                             principalPoint ?? constant(HostTensor([2], [Float(width) / 2, Float(height) / 2])))
        return try concat([reshape(pixels, [v, 2]), depth], axis: 1)
    }
}
