// FaceNet imported from its TensorFlow graph against OpenCV's cv2.dnn on the same file
// (fixtures from tools/facenet_reference.py), on the CPU backend and on OpenCL, and the
// gradient of the identity loss with respect to the input image against finite differences.
@testable import Engine
import Foundation
import XCTest

final class FaceNetTests: XCTestCase {
    static let fixtures = Repository.path("Tests/EngineTests/Fixtures/facenet")
    static let inputs = ["sample", "astronaut", "noise"]

    /// The model fetched by scripts/fetch-models.sh; a skip when it is absent, a failure under CI=true.
    static func model() throws -> FaceNet {
        let path = Repository.path("models/downloaded/" + FaceNet.relativePath)
        guard FileManager.default.fileExists(atPath: path) else {
            let message = "\(path) is missing: run `bash scripts/fetch-models.sh` (scripts/test.sh does)"
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail(message) }
            throw XCTSkip(message)
        }
        return try FaceNet(path: path)
    }

    /// A fixture crop as [1, 3, 160, 160] in [0, 1].
    static func crop(_ name: String) throws -> HostTensor {
        let rgb = try PNGFile.read(fixtures + "/\(name).png").pixels
        XCTAssertEqual(rgb.shape, [160, 160, 3])
        let plane = 160 * 160
        var chw = [Float](repeating: 0, count: 3 * plane)
        for i in 0..<plane { for c in 0..<3 { chw[c * plane + i] = rgb.values[i * 3 + c] } }
        return HostTensor([1, 3, 160, 160], chw)
    }

    func testEmbeddingsAndFeaturesMatchOpenCVOnTheCPUAndOnOpenCL() throws {
        let network = try Self.model()
        let reference = try SafetensorsFile(Self.fixtures + "/reference.safetensors")
        let g = Graph()
        let image = g.input("image", [1, 3, 160, 160])
        let outputs = try network.build(g, image: image)
        let late = try XCTUnwrap(network.featureLayers.firstIndex(of: "InceptionResnetV1/Mixed_7a/concat"))
        var backends: [any Backend] = [CPUBackend.shared]
        backends.append(try TestDevice.openCL())
        for backend in backends {
            let program = try Program(graph: g, outputs: [outputs.embedding, outputs.features[late]], device: backend)
            for name in Self.inputs {
                try program.set("image", try Self.crop(name))
                try program.run()
                let embedding = try program.read(outputs.embedding).values
                let expected = try reference.tensor("\(name).embedding").values
                let cosine = zip(embedding, expected).map { Double($0) * Double($1) }.reduce(0, +)
                    / (norm(embedding) * norm(expected))
                XCTAssertGreaterThanOrEqual(cosine, 0.9999, "\(name) on \(backend.name)")
                XCTAssertLessThanOrEqual(maxDifference(embedding, expected), 1e-3, "\(name) on \(backend.name)")
                if name == "sample" {
                    let feature = try program.read(outputs.features[late]).values
                    let expectedFeature = try reference.tensor("sample.feature").values
                    let scale = Double(expectedFeature.map(Swift.abs).max() ?? 1)
                    XCTAssertLessThanOrEqual(maxDifference(feature, expectedFeature) / scale, 1e-4, "Mixed_7a on \(backend.name)")
                }
            }
        }
    }

    /// d(1 − cos(F(I), e))/dI by the graph's backward against central differences at a few pixels,
    /// in Double on the CPU reference. The pixels lie in textured parts of the face: in a flat,
    /// saturated patch (the black hair) equal activations tie in max pooling, where the network
    /// has no derivative and central differences average the two one-sided slopes.
    func testIdentityLossGradientMatchesFiniteDifferences() throws {
        let (g, loss, gradient, hostFeeds) = try Self.identityLoss()
        var feeds = hostFeeds.mapValues { $0.converted(to: Double.self) }
        let analytic = try g.evaluate([gradient], feeds: feeds)[0].values
        for pixel in [(0, 80, 80), (1, 60, 100), (2, 120, 40), (0, 100, 60), (2, 40, 30)] {
            let i = (pixel.0 * 160 + pixel.1) * 160 + pixel.2
            let original = feeds["image"]!.values[i], h = 1e-7
            feeds["image"]!.values[i] = original + h
            let plus = try g.evaluate([loss], feeds: feeds)[0].values[0]
            feeds["image"]!.values[i] = original - h
            let minus = try g.evaluate([loss], feeds: feeds)[0].values[0]
            feeds["image"]!.values[i] = original
            let numeric = (plus - minus) / (2 * h)
            XCTAssertEqual(analytic[i], numeric, accuracy: 1e-3 * Swift.max(Swift.abs(numeric), 1e-3), "pixel \(pixel)")
        }
    }

    /// 1 − cos(F(sample), e(astronaut)) and its gradient with respect to the image, with the feeds.
    static func identityLoss() throws -> (Graph, loss: Value, gradient: Value, feeds: [String: HostTensor]) {
        let network = try model()
        let g = Graph()
        let image = g.input("image", [1, 3, 160, 160]), target = g.input("target", [1, 512])
        let embedding = try network.build(g, image: image).embedding
        let loss = try g.sub(g.scalar(1), try g.sum(try g.mul(embedding, target)))
        let gradient = try g.gradients(of: loss, wrt: [image])[0]
        let reference = try SafetensorsFile(fixtures + "/reference.safetensors")
        let feeds = [
            "image": try crop("sample"),
            "target": HostTensor([1, 512], try reference.tensor("astronaut.embedding").values),
        ]
        return (g, loss, gradient, feeds)
    }

    /// The gradient as programs compute it, the backward rewritten and fused (Fusion.swift,
    /// ConcatGradientMask.swift), on the CPU and on OpenCL, equals the unfused reference's in Double.
    func testFusedGradientProgramsEqualTheUnfusedReference() throws {
        let (g, _, gradient, feeds) = try Self.identityLoss()
        let expected = try g.evaluate([gradient], feeds: feeds.mapValues { $0.converted(to: Double.self) })[0]
        let scale = expected.values.map(Swift.abs).max()!
        for backend in [CPUBackend.shared, try TestDevice.openCL()] as [any Backend] {
            let program = try Program(graph: g, outputs: [gradient], device: backend)
            for (name, value) in feeds { try program.set(name, value) }
            try program.run()
            let got = try program.read(gradient).values
            let difference = zip(got, expected.values).map { Swift.abs(Double($0) - $1) }.max()!
            // Measured 1.7e-4 on the CPU backend and 4e-7 on PoCL, the same before the rewrite; a wrongly
            // masked branch is off by the gradient itself.
            XCTAssertLessThanOrEqual(difference / scale, 1e-3, "on \(backend.name)")
        }
    }

    /// The sample crop made here from the bundled photo equals OpenCV's INTER_AREA crop (the
    /// fixture PNG, 8-bit) to within rounding.
    func testFaceCropMatchesOpenCVsAreaResize() throws {
        let reference = try SafetensorsFile(Self.fixtures + "/reference.safetensors")
        let box = try FaceBox(parsing: try XCTUnwrap(reference.metadata["sample_box"]))
        let photo = try Image.read(Repository.path("samples/image_0010.png"))
        let ours = FaceCrop.crop(photo, box: box, height: 160, width: 160).values
        XCTAssertLessThanOrEqual(maxDifference(ours, try Self.crop("sample").values), 1.01 / 255)
    }

    func testCropWeightsCoverEachOutputPixelOnceAndRepeatEdges() {
        for taps in FaceCrop.weights(start: -3.5, length: 17.25, outputs: 5, inputs: 9) {
            XCTAssertEqual(taps.map { Double($0.weight) }.reduce(0, +), 1, accuracy: 1e-6)
            XCTAssertTrue(taps.allSatisfy { (0..<9).contains($0.index) })
        }
        XCTAssertEqual(FaceCrop.weights(start: 0, length: 4, outputs: 2, inputs: 4).map { $0.map(\.index) }, [[0, 1], [2, 3]])
        // Far outside the image: the edge pixel, at once (no walk over 1e12 cells).
        for taps in FaceCrop.weights(start: 1e17, length: 1e12, outputs: 3, inputs: 9) + FaceCrop.weights(start: -1e17, length: 1e12, outputs: 3, inputs: 9) {
            XCTAssertEqual(taps.count, 1)
            XCTAssertEqual(Double(taps[0].weight), 1, accuracy: 1e-6)
        }
        // A box reaching past the image: the share outside lands on the edge pixel.
        let straddling = FaceCrop.weights(start: -3, length: 5, outputs: 1, inputs: 9)[0]
        XCTAssertEqual(straddling.map(\.index), [0, 1])
        XCTAssertEqual(Double(straddling[0].weight), 0.8, accuracy: 1e-6)
        XCTAssertEqual(Double(straddling[1].weight), 0.2, accuracy: 1e-6)
    }

    private func maxDifference(_ a: [Float], _ b: [Float]) -> Double {
        XCTAssertEqual(a.count, b.count)
        return zip(a, b).map { Double(Swift.abs($0 - $1)) }.max() ?? .infinity
    }
}

/// The Euclidean norm, in Double.
func norm(_ v: [Float]) -> Double { v.map { Double($0) * Double($0) }.reduce(0, +).squareRoot() }
