// parameters.json: the fitted parameters for other tools, with the mesh's frame and units, and the
// camera in our convention and in OpenCV's (K, R, t, image size).
import Foundation

public enum FitParametersFile {
    /// The mesh's frame (mesh.obj's vertices and the shape model's): the Surrey model's, in mm.
    public static let meshFrame =
        "model frame of the Surrey face model, millimetres: x towards the subject's left "
        + "(image right in a frontal view), y up, z out of the face towards a frontal camera; "
        + "mesh.obj's vertices"

    /// Our camera: x_c = R·v + t (v a mesh vertex), looking along −z with y up; a point projects to
    /// continuous pixels (pixel (row i, column j) covers [j, j+1) × [i, i+1)) at
    /// (cx + f·x_c/(−z_c), cy − f·y_c/(−z_c)).
    public static let ourConvention =
        "x_c = R v + t; looks along -z, y up; pixel = (cx + f x_c / -z_c, cy - f y_c / -z_c) "
        + "in continuous pixels (a pixel's centre at +0.5); focal and principal point in photo pixels"

    /// OpenCV's camera of photo `k`: looks along +z with y down, pixel centres at whole numbers. With
    /// F = diag(1, −1, −1): R_cv = F·R, t_cv = F·t, K = [[f, 0, cx − 0.5], [0, f, cy − 0.5], [0, 0, 1]];
    /// then cv2.projectPoints(v, cv2.Rodrigues(R_cv)[0], t_cv, K, 0) gives the same photo pixels.
    public static func openCV(_ result: FaceFitResult, photo k: Int = 0) -> (
        K: [[Double]], R: [[Double]], t: [Double]
    ) {
        let p = result.fitted[k]
        let camera = result.cameras[k]
        let r =
            (try? Rodrigues().reference([HostTensor([3], p.rotation)])[0].values) ?? [
                1, 0, 0, 0, 1, 0, 0, 0, 1,
            ]
        let flip: [Double] = [1, -1, -1]
        let rotation = (0..<3).map { i in (0..<3).map { j in flip[i] * Double(r[3 * i + j]) } }
        let f = Double(camera.focal)
        let K = [
            [f, 0, Double(camera.principalPoint.x) - 0.5], [0, f, Double(camera.principalPoint.y) - 0.5],
            [0, 0, 1],
        ]
        return (K, rotation, (0..<3).map { flip[$0] * Double(p.translation[$0]) })
    }

    /// The file's JSON (sorted keys): the shape, and the first photo's expression, cameras, light and
    /// crop at the top level; with several photos also "photos", each photo's in order.
    public static func json(_ result: FaceFitResult) throws -> Data {
        var object: [String: Any] = [
            "units": "mm", "mesh_frame": meshFrame, "shape": result.parameters.shape.map(Double.init),
            "status": result.status.rawValue,
        ]
        object.merge(photo(result, 0)) { first, _ in first }
        if result.inputs.count > 1 { object["photos"] = result.inputs.indices.map { photo(result, $0) } }
        return try JSONSerialization.data(
            withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }

    /// Photo `k`'s expression, cameras (ours and OpenCV's), light and crop.
    private static func photo(_ result: FaceFitResult, _ k: Int) -> [String: Any] {
        let p = result.fitted[k]
        let camera = result.cameras[k]
        let input = result.inputs[k]
        let photo = input.photo
        let box = input.frame.box
        let r = (try? Rodrigues().reference([HostTensor([3], p.rotation)])[0].values) ?? []
        let cv = openCV(result, photo: k)
        return [
            "expression": p.expression.map(Double.init),
            "camera": [
                "convention": ourConvention, "focal": Double(camera.focal),
                "focal_35mm": Double(camera.focal35mm),
                "principal_point": [Double(camera.principalPoint.x), Double(camera.principalPoint.y)],
                "rotation_axis_angle": p.rotation.map(Double.init),
                "rotation_matrix": (0..<3).map { i in (0..<3).map { Double(r[3 * i + $0]) } },
                "translation": p.translation.map(Double.init), "image_size": [photo.width, photo.height],
            ] as [String: Any],
            "opencv": [
                "convention":
                    "x_cv = R v + t; looks along +z, y down; pixel = K x_cv / z_cv with pixel centres at "
                    + "whole numbers; no distortion (cv2.projectPoints(v, cv2.Rodrigues(R)[0], t, K, None))",
                "K": cv.K, "R": cv.R, "t": cv.t, "image_size": [photo.width, photo.height],
                "dist_coeffs": [0, 0, 0, 0, 0],
            ] as [String: Any],
            "light": [
                "spherical_harmonics": (0..<9).map { k in
                    (0..<3).map { Double(p.light.coefficients[3 * k + $0]) }
                },
                "basis":
                    "irradiance = Σ_k c[k]·Y_k(n), n the camera-space unit normal (x right, y up, z towards "
                    + "the camera); Y = 0.282095; 0.488603·(y, z, x); 1.092548·(xy, yz), 0.315392·(3z² − 1), "
                    + "1.092548·xz, 0.546274·(x² − y²); colour = albedo · irradiance",
            ] as [String: Any],
            "crop": ["box": [box.x, box.y, box.width, box.height], "size": input.frame.size],
        ]
    }
}
