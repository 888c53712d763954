// The pictures of a fit over the whole photo (not only the crop), through the photo's camera: the
// textured fit under the fitted light and the grey shape, on a copy of the photo at most
// `maximumSide` pixels on its longer side; and, around the face, the given or detected landmarks
// against the fitted ones.

public struct PhotoViews {
    /// [H, W, 3] each, the photo's size (or reduced to `maximumSide`).
    public let render: HostTensor
    public let shape: HostTensor
    /// The fitting crop's square of the photo at `landmarkSide`² with the landmarks the fit was given
    /// (red) and the fitted model's (green), each pair joined by a yellow line.
    public let landmarks: HostTensor

    public static let maximumSide = 1600
    public static let landmarkSide = 512

    /// The views of photo `k` (0-based) of `result`.
    public init(_ result: FaceFitResult, photo k: Int = 0, face: FitModel, device: any Backend) throws {
        let input = result.inputs[k]
        let photo = input.photo
        let scale = Swift.min(1, Float(Self.maximumSide) / Float(Swift.max(photo.width, photo.height)))
        let (w, h) = (
            Swift.max(1, Int((Float(photo.width) * scale).rounded())),
            Swift.max(1, Int((Float(photo.height) * scale).rounded()))
        )
        let background = FaceCrop.cropRGB(photo, height: h, width: w)
        let (sx, sy) = (Float(w) / Float(photo.width), Float(h) / Float(photo.height))
        let camera = result.cameras[k]
        let parameters = result.fitted[k]
        let joint = result.jointStage
        func draw(_ look: ShapeOverlay.Look) throws -> HostTensor {
            try ShapeOverlay.draw(
                face, vertices: joint.vertices[k], parameters: parameters, look: look, over: background,
                focal: camera.focal * sx,
                principalPoint: [
                    camera.principalPoint.x * sx,
                    camera.principalPoint.y * sy,
                ], device: device)
        }
        render = try draw(.textured(result.texture, parameters.light))
        shape = try draw(.shape)
        landmarks = LandmarkOverlay.compare(
            photo, box: input.frame.box, side: Self.landmarkSide, given: input.landmarks,
            fitted: result.landmarks[k])
    }
}
