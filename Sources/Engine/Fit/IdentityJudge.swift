// The fit's identity judge: dlib's face descriptor, a network the fit never optimises, of the photo's
// face, of the render over the photo and of the frontal view, each aligned by its own landmarks; a
// distance says whether dlib would call them the same person (below 0.6).
import Foundation

public struct IdentityJudgement: Codable {
    public let network: String
    /// Euclidean distance of the photo's descriptor to the render's (over the photo crop) and to the
    /// frontal view's (a novel view: it carries the shape, where the render carries the photo's pixels).
    public let distance: Float
    public let frontalDistance: Float
    /// dlib's convention: a distance below this is the same person.
    public let samePersonBelow: Float
}

public enum IdentityJudge {
    /// The distances of dlib's descriptor of `photo`'s face (chip aligned by `photoLandmarks`) to
    /// those of `views` [H, W, 3] (each aligned by its landmarks). Landmarks: 0-based pixel centres of
    /// their own image.
    public static func distances(
        _ network: DlibFaceDescriptor, device: any Backend, photo: Image, photoLandmarks: [SIMD2<Float>],
        views: [(image: HostTensor, landmarks: [SIMD2<Float>])]
    ) throws -> [Float] {
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
        let reference = try describe(photo, photoLandmarks)
        return try views.map {
            DlibFaceDescriptor.distance(reference, try describe(Image(pixels: $0.image, bitDepth: 8), $0.landmarks))
        }
    }
}

extension FaceFitResult {
    /// The identity judge's verdict on this fit: the first photo's face against its final render and the
    /// frontal view.
    public func judged(by network: DlibFaceDescriptor, device: any Backend) throws -> IdentityJudgement {
        let input = inputs[0]
        let d = try IdentityJudge.distances(
            network, device: device, photo: input.photo, photoLandmarks: input.landmarks,
            views: [(renders[0], landmarks[0].map { input.frame.toCrop($0) - 0.5 }), (frontal.image, frontal.landmarks)])
        return IdentityJudgement(network: network.name, distance: d[0], frontalDistance: d[1],
                                 samePersonBelow: DlibFaceDescriptor.samePersonDistance)
    }
}
