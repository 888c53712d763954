// The synthetic faces' albedos: each real face's photo projected onto the model's UV map at the
// pose the fit's landmark stage finds for it (stage 1 only, from the photo's 68 points), as the
// fit's own first texture is made; what the photo does not see is the mean skin colour.

/// A UV texture [T, T, 3] taken from one face of one photo.
public struct SynthAlbedo {
    public let photo: Int
    public let face: Int
    public let texture: HostTensor
}

extension SynthAlbedo {
    /// Every face of every photo, fitted on `device` with `iterations` landmark steps on a
    /// `settings.size`² crop, projected at `settings.textureSize`².
    public static func project(
        _ photos: [SynthPhoto], face model: FitModel, settings: FitSettings, device: any Backend,
        log: (String) -> Void
    ) throws -> [SynthAlbedo] {
        try photos.enumerated().flatMap { p, photo in
            try photo.faces.enumerated().map { k, points in
                let input = try FitInput(
                    photo: photo.image, landmarks: points, size: settings.size, margin: settings.margin,
                    source: photo.name)
                let targets = input.cropLandmarks
                let start = FaceParameters.initial(
                    model, input: input, camera: FitCamera(photo: photo.image, settings: settings))
                let fit = try LandmarkStage.run(
                    model, targets: [targets], from: [start], settings: settings, device: device
                ) { _ in }
                log(
                    String(
                        format: "albedo %@ face %d: landmark error %.2f px (photo pixels), yaw %.0f°",
                        photo.name, k,
                        fit.finalErrors[0] / input.frame.scale, fit.parameters[0].yawDegrees))
                let texture = try TextureProjection.texture(
                    model, parameters: fit.parameters[0], photo: input.crop,
                    size: settings.textureSize, settings: settings, device: device)
                return SynthAlbedo(photo: p, face: k, texture: texture)
            }
        }
    }
}
