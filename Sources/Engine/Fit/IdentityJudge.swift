// The fit's identity judge: dlib's face descriptor, a network the fit never optimises, of the photo's
// face and of the render, each aligned by its own landmarks; their distance says whether dlib would
// call them the same person (below 0.6).
import Foundation

public struct IdentityJudgement: Codable {
    public let network: String
    /// Euclidean distance of the photo's and the render's descriptors.
    public let distance: Float
    /// dlib's convention: a distance below this is the same person.
    public let samePersonBelow: Float
}

public enum IdentityJudge {
    /// dlib's descriptors of `photo`'s face (chip aligned by `photoLandmarks`) and of the fit's render
    /// over the crop (aligned by the fitted landmarks), and their distance. Landmarks: 0-based pixel
    /// centres of their own image.
    public static func judge(
        _ network: DlibFaceDescriptor, device: any Backend, photo: Image,
        photoLandmarks: [SIMD2<Float>], render: HostTensor,
        renderLandmarks: [SIMD2<Float>]
    ) throws -> IdentityJudgement {
        let g = Graph()
        let image = g.input("image", [1, 3, network.inputSize.height, network.inputSize.width])
        let descriptor = try network.descriptor(g, image: image)
        let program = try Program(graph: g, outputs: [descriptor], device: device)
        func describe(_ picture: Image, _ landmarks: [SIMD2<Float>]) throws -> [Float] {
            try program.set(
                "image", try FaceChip(landmarks: landmarks).extract(from: RGBImage8(picture)).planes)
            try program.run()
            return try program.read(descriptor).values
        }
        let distance = DlibFaceDescriptor.distance(
            try describe(photo, photoLandmarks),
            try describe(Image(pixels: render, bitDepth: 8), renderLandmarks))
        return IdentityJudgement(
            network: network.name, distance: distance,
            samePersonBelow: DlibFaceDescriptor.samePersonDistance)
    }
}

extension FaceFitResult {
    /// The identity judge's verdict on this fit: the photo's face against the final render.
    public func judged(by network: DlibFaceDescriptor, device: any Backend) throws -> IdentityJudgement {
        try IdentityJudge.judge(
            network, device: device, photo: input.photo, photoLandmarks: input.landmarks,
            render: jointStage.render, renderLandmarks: landmarks.map { input.frame.toCrop($0) - 0.5 })
    }
}
